"""encryption.certificate against real TLS servers on 127.0.0.1 with one flawed certificate each.

A certificate the scanner's client does not accept is a finding, not the end of the scan: the
scan goes on without verification and without the user's credentials (withheld with a notice);
-k sends them anyway. Either way this check names the problem.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apivigil.core.config import Credentials
from tests.fixtures.apps.basic import PASSWORD, USER, protected_api
from tests.fixtures.apps.encryption import make_ca, make_leaf, make_sha1_leaf, tls_context
from tests.support import Recorder, assert_completed

CHECK = {"checks": ("encryption.certificate",)}
CREDENTIALS = Credentials(USER, PASSWORD)
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def ca_file(ca, tmp_path_factory):
    return ca.write(tmp_path_factory.mktemp("cert-ca"))


def scan_leaf(serve, run_scan, leaf, **options):
    https = serve(protected_api(hsts="max-age=31536000"), tls=tls_context(leaf))
    return run_scan(https.url + "/", **CHECK, **options)


def findings(report):
    return [(f.id, f.severity.value) for f in report.findings]


@pytest.mark.parametrize(
    ("leaf_options", "expected"),
    [
        ({"not_before": NOW - timedelta(days=100), "not_after": NOW - timedelta(days=10)},
         [("encryption.cert-expired", "high")]),
        ({"not_before": NOW + timedelta(days=10), "not_after": NOW + timedelta(days=100)},
         [("encryption.cert-not-yet-valid", "high")]),
        ({"names": ("api.example.test",)}, [("encryption.cert-hostname-mismatch", "high")]),
        ({"rsa_bits": 1024}, [("encryption.cert-weak-key", "high")]),
        ({"not_after": NOW + timedelta(days=5)}, [("encryption.cert-expires-soon", "low")]),
        ({"not_before": NOW - timedelta(days=10), "not_after": NOW + timedelta(days=800)},
         [("encryption.cert-long-lifetime", "low")]),
    ],
    ids=["expired", "not-yet-valid", "wrong-host", "rsa-1024", "expires-soon",
         "long-lifetime"],
)
def test_flawed_certificate_is_named(serve, run_scan, ca, ca_file, tmp_path, leaf_options,
                                     expected):
    leaf = make_leaf(tmp_path, ca, **leaf_options)
    report = scan_leaf(serve, run_scan, leaf, cacert=ca_file, insecure=True)
    assert findings(report) == expected
    finding = report.findings[0]
    assert finding.evidence.data["subject"] == leaf.cert.subject.rfc4514_string()
    assert finding.url is not None and finding.url.startswith("https://127.0.0.1:")
    assert "openssl s_client -connect 127.0.0.1:" in str(finding.evidence.data["reproduce"])


def test_sha1_signed_certificate(serve, run_scan, ca, ca_file, tmp_path):
    leaf = make_sha1_leaf(tmp_path, ca)
    report = scan_leaf(serve, run_scan, leaf, cacert=ca_file, insecure=True)
    assert findings(report) == [("encryption.cert-sha1-signature", "medium")]
    assert report.findings[0].evidence.data["weak_signatures"] == [
        f"{leaf.cert.subject.rfc4514_string()}: sha1"]


def test_self_signed_certificate_with_k(serve, run_scan, tmp_path):
    leaf = make_leaf(tmp_path, None)
    report = scan_leaf(serve, run_scan, leaf, cacert=None, insecure=True)
    assert findings(report) == [("encryption.cert-self-signed", "high")]
    assert "self-signed" in str(report.findings[0].evidence.data["verify_error"])


def test_self_signed_certificate_trusted_through_cacert_is_silent(serve, run_scan, tmp_path):
    leaf = make_leaf(tmp_path, None)
    report = scan_leaf(serve, run_scan, leaf, cacert=leaf.cert_path)
    assert findings(report) == []


@pytest.mark.parametrize("insecure", [False, True], ids=["untrusted", "with-k"])
def test_chain_from_unknown_ca_is_untrusted(serve, run_scan, tmp_path, ca_file, insecure):
    leaf = make_leaf(tmp_path, make_ca("someone else's CA"))
    report = scan_leaf(serve, run_scan, leaf, cacert=ca_file, insecure=insecure)
    assert findings(report) == [("encryption.cert-untrusted", "high")]
    assert report.findings[0].evidence.data["verify_error"]


@pytest.mark.parametrize(
    ("leaf_options", "rule"),
    [({"not_before": NOW - timedelta(days=100), "not_after": NOW - timedelta(days=10)},
      "encryption.cert-expired"),
     ({"names": ("api.example.test",)}, "encryption.cert-hostname-mismatch")],
    ids=["expired", "wrong-host"])
def test_untrusted_certificate_is_reported_and_credentials_withheld(
        serve, run_scan, ca, ca_file, tmp_path, leaf_options, rule):
    leaf = make_leaf(tmp_path, ca, **leaf_options)
    app = Recorder(protected_api(hsts="max-age=31536000"))
    https = serve(app, tls=tls_context(leaf))
    report = run_scan(https.url + "/api/data", cacert=ca_file, credentials=CREDENTIALS,
                      headers=(("X-Api-Key", "key-not-for-untrusted"),),
                      checks=("encryption.certificate", "data_exposure.cache-control"))
    assert rule in {f.id for f in report.findings}
    [notice] = [n for n in report.notices if "not trusted" in n]
    assert "without your credentials" in notice and "_ssl.c" not in notice
    assert notice.count("(") == notice.count(")")  # the message reads as a sentence
    assert_completed(report, expect={"data_exposure.cache-control": "skipped"})
    assert "certificate" in (report.checks[0].reason or "")  # sorted: cache-control first
    sent = " ".join(r["authorization"] + r["headers"] for r in app.requests)
    assert app.requests and "Basic" not in sent and "key-not-for-untrusted" not in sent


def test_with_k_credentials_are_sent_to_an_untrusted_server(serve, run_scan, ca, ca_file,
                                                           tmp_path):
    leaf = make_leaf(tmp_path, ca, names=("api.example.test",))
    app = Recorder(protected_api(hsts="max-age=31536000"))
    https = serve(app, tls=tls_context(leaf))
    report = run_scan(https.url + "/api/data", cacert=ca_file, credentials=CREDENTIALS,
                      insecure=True, checks=("data_exposure.cache-control",))
    assert_completed(report)
    assert any(r["authorization"].startswith("Basic ") for r in app.requests)


def test_good_certificate_is_silent(serve, run_scan, ca, ca_file, tmp_path):
    report = scan_leaf(serve, run_scan, make_leaf(tmp_path, ca), cacert=ca_file)
    assert_completed(report)
    assert report.findings == []


def test_demo_certificate_is_silent(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    report = run_scan(https.url + "/", **CHECK)
    assert_completed(report)
    assert report.findings == []
