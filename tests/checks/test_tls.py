"""encryption.tls against real TLS servers on 127.0.0.1, each configured one way."""

from __future__ import annotations

import ssl

import pytest

from apivigil.checks.encryption.tls import (
    PYTHON_SERVER_CIPHERS,
    REMEDIATION,
    TlsConfiguration,
    cipher_class,
    forward_secret,
)
from apivigil.checks.encryption.tlsfacts import TlsFacts
from tests.fixtures.apps.basic import protected_api
from tests.fixtures.apps.encryption import make_ca, make_leaf, tls_context
from tests.fixtures.apps.fix_twins import fastapi_plain
from tests.support import outcome

CHECK = {"checks": ("encryption.tls",)}


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def ca_file(ca, tmp_path_factory):
    return ca.write(tmp_path_factory.mktemp("tls-ca"))


def scan(serve, run_scan, context, ca_file):
    https = serve(protected_api(hsts="max-age=31536000"), tls=context)
    return run_scan(https.url + "/", cacert=ca_file, **CHECK)


def by_rule(report):
    return {f.id: f for f in report.findings}


def test_tls10_and_tls11_are_flagged_with_the_accepted_suites(serve, run_scan, ca, ca_file,
                                                             tmp_path):
    leaf = make_leaf(tmp_path, ca)
    context = tls_context(leaf, ciphers="ECDHE+AES", minimum=ssl.TLSVersion.TLSv1)
    found = by_rule(scan(serve, run_scan, context, ca_file))
    assert found["encryption.tls-tls10"].severity.value == "high"
    assert found["encryption.tls-tls11"].severity.value == "medium"
    suites = found["encryption.tls-tls10"].evidence.data["accepted_suites"]
    assert "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" in suites
    assert found["encryption.tls-cipher-cbc"].severity.value == "low"
    assert "encryption.tls-no-tls13" not in found  # TLS 1.3 stays on
    assert found["encryption.tls-tls10"].cwe == (326, 327)
    assert [o.value for o in found["encryption.tls-tls10"].owasp] == ["API8:2023"]
    reproduce = str(found["encryption.tls-tls10"].evidence.data["reproduce"])
    assert reproduce.startswith("openssl s_client -connect 127.0.0.1:") and " -tls1 " in reproduce


def test_null_anonymous_and_static_rsa_suites_are_flagged(serve, run_scan, ca, ca_file,
                                                          tmp_path):
    leaf = make_leaf(tmp_path, ca, rsa_bits=2048)
    # one modern suite too, or the scanner's own client (Python's defaults) could not connect
    context = tls_context(leaf, ciphers="ECDHE+AESGCM:eNULL:aNULL:kRSA+AESGCM",
                          maximum=ssl.TLSVersion.TLSv1_2)
    found = by_rule(scan(serve, run_scan, context, ca_file))
    assert found["encryption.tls-cipher-null"].severity.value == "high"
    assert any("NULL" in s for s in found["encryption.tls-cipher-null"].evidence.data[
        "accepted_suites"])
    assert found["encryption.tls-cipher-anonymous"].severity.value == "high"
    fs = found["encryption.tls-no-forward-secrecy"]
    assert fs.severity.value == "low"  # some ECDHE NULL suites are ephemeral, RSA ones not
    assert "TLS 1.2 TLS_RSA_WITH_AES_128_GCM_SHA256" in fs.evidence.data["accepted_suites"]
    assert found["encryption.tls-no-tls13"].severity.value == "info"
    assert "encryption.tls-robot" not in found  # OpenSSL 3 is no Bleichenbacher oracle


def test_only_static_rsa_key_exchange_is_judged_medium():
    # A server offering only static RSA cannot be reached by Python's default client (the
    # scan's preflight), so this judging step is checked on facts, as sslyze separates them.
    facts = TlsFacts(host="127.0.0.1", port=443, accepted={
        "TLS 1.2": ("TLS_RSA_WITH_AES_128_GCM_SHA256",), "TLS 1.3": ()})
    found = {f.id: f for f in TlsConfiguration()._ciphers(facts, "https://127.0.0.1")}
    assert found["encryption.tls-no-forward-secrecy"].severity.value == "medium"
    assert found["encryption.tls-no-forward-secrecy"].title == "No forward secrecy"


def test_modern_server_is_silent(serve, run_scan):
    https = serve(protected_api(hsts="max-age=31536000"), tls="modern")
    report = run_scan(https.url + "/", **CHECK)
    assert outcome(report, "encryption.tls") == "completed"
    assert report.findings == []


def test_demo_legacy_context_is_flagged(serve, run_scan):
    https = serve(protected_api(), tls="legacy")
    found = by_rule(run_scan(https.url + "/", **CHECK))
    assert {"encryption.tls-tls10", "encryption.tls-tls11",
            "encryption.tls-cipher-anonymous"} <= set(found)


def test_the_uvicorn_setting_the_remediation_names_is_clean_and_the_default_is_not(
        serve_asgi, run_scan):
    # the text-only fix names a setting for uvicorn: proven here by serving with it
    assert f"--ssl-ciphers {PYTHON_SERVER_CIPHERS}" in REMEDIATION.summary
    default = run_scan(serve_asgi(fastapi_plain()) + "/api/data", **CHECK)
    assert {f.id for f in default.findings} == {"encryption.tls-cipher-cbc"}
    fixed = run_scan(serve_asgi(fastapi_plain(), ssl_ciphers=PYTHON_SERVER_CIPHERS)
                     + "/api/data", **CHECK)
    assert outcome(fixed, "encryption.tls") == "completed"
    assert fixed.findings == []


def test_http_target_is_skipped_with_reason(serve, run_scan):
    http = serve(protected_api())
    report = run_scan(http.url + "/", **CHECK)
    assert outcome(report, "encryption.tls") == "skipped"
    assert "https://" in (report.checks[0].reason or "")


@pytest.mark.parametrize(
    ("suite", "rule"),
    [
        ("TLS_RSA_WITH_RC4_128_SHA", "tls-cipher-rc4"),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "tls-cipher-3des"),
        ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", "tls-cipher-export"),
        ("TLS_RSA_WITH_DES_CBC_SHA", "tls-cipher-des"),
        ("TLS_RSA_WITH_NULL_SHA256", "tls-cipher-null"),
        ("TLS_DH_anon_WITH_AES_128_CBC_SHA", "tls-cipher-anonymous"),
        ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "tls-cipher-cbc"),
        ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", None),
        ("TLS_AES_128_GCM_SHA256", None),
    ],
)
def test_suites_the_local_openssl_cannot_serve_are_classified(suite, rule):
    # OpenSSL 3 no longer builds RC4/3DES/EXPORT/DES suites, so no real server can offer them
    # here; their classification is checked on sslyze's suite names instead.
    assert cipher_class(suite) == rule


def test_forward_secrecy_by_key_exchange():
    assert forward_secret("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
    assert forward_secret("TLS_CHACHA20_POLY1305_SHA256")
    assert not forward_secret("TLS_RSA_WITH_AES_128_GCM_SHA256")


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"heartbleed": True}, ("encryption.tls-heartbleed", "critical")),
        ({"robot": "VULNERABLE_STRONG_ORACLE"}, ("encryption.tls-robot", "high")),
        ({"robot": "VULNERABLE_WEAK_ORACLE"}, ("encryption.tls-robot", "medium")),
        ({"ccs_injection": True}, ("encryption.tls-ccs-injection", "high")),
        ({"secure_renegotiation": False}, ("encryption.tls-insecure-renegotiation", "high")),
        ({"compression": True}, ("encryption.tls-compression", "medium")),
        ({"client_renegotiation_dos": True}, ("encryption.tls-client-renegotiation", "low")),
    ],
)
def test_flaws_a_patched_openssl_cannot_reproduce_are_judged(facts, expected):
    # OpenSSL 3 has none of these flaws, so no loopback server can show them; the judging
    # step (facts -> findings) is checked on its own, as sslyze's own design separates them.
    judged = TlsConfiguration()._flaws(TlsFacts("127.0.0.1", 443, **facts), "https://x")
    assert [(f.id, f.severity.value) for f in judged] == [expected]


def test_missing_fallback_scsv_matters_only_with_old_protocols():
    old = TlsFacts("127.0.0.1", 443, accepted={"TLS 1.0": ("TLS_RSA_WITH_AES_128_CBC_SHA",),
                                               "TLS 1.2": ("TLS_AES_128_GCM_SHA256",)},
                   fallback_scsv=False)
    modern = TlsFacts("127.0.0.1", 443, accepted={"TLS 1.2": ("TLS_AES_128_GCM_SHA256",)},
                      fallback_scsv=False)
    judge = TlsConfiguration()
    assert [f.id for f in judge._flaws(old, "https://x")] == ["encryption.tls-no-fallback-scsv"]
    assert list(judge._flaws(modern, "https://x")) == []
    clean = TlsFacts("127.0.0.1", 443, heartbleed=False, robot="NOT_VULNERABLE_NO_ORACLE",
                     ccs_injection=False, secure_renegotiation=True, compression=False,
                     client_renegotiation_dos=False, fallback_scsv=True)
    assert list(judge._flaws(clean, "https://x")) == []
