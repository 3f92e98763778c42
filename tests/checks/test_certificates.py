"""encryption.certificate against real TLS servers on 127.0.0.1 with one flawed certificate each.

A certificate the scanner's client does not accept stops the scan in preflight (exit 3) unless
-k is given; with -k the scan goes on and this check names the problem.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apivigil.core.errors import ScanError
from tests.fixtures.apps.basic import protected_api
from tests.fixtures.apps.encryption import make_ca, make_leaf, make_sha1_leaf, tls_context
from tests.support import above_low

CHECK = {"checks": ("encryption.certificate",)}
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


def test_chain_from_unknown_ca_is_untrusted(serve, run_scan, tmp_path, ca_file):
    leaf = make_leaf(tmp_path, make_ca("someone else's CA"))
    with pytest.raises(ScanError, match="-k"):  # the engine's preflight refuses it
        scan_leaf(serve, run_scan, leaf, cacert=ca_file)
    report = scan_leaf(serve, run_scan, leaf, cacert=ca_file, insecure=True)
    assert findings(report) == [("encryption.cert-untrusted", "high")]
    assert report.findings[0].evidence.data["verify_error"]


def test_good_certificate_is_silent(serve, run_scan, ca, ca_file, tmp_path):
    report = scan_leaf(serve, run_scan, make_leaf(tmp_path, ca), cacert=ca_file)
    assert report.findings == []
    assert above_low(report) == []


def test_demo_certificate_is_silent(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    report = run_scan(https.url + "/", **CHECK)
    assert report.findings == []
