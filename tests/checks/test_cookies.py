"""encryption.cookies on HTTPS answers, anonymous and after a successful login."""

from __future__ import annotations

from apivigil.core.config import Credentials
from tests.fixtures.apps.basic import PASSWORD, USER
from tests.fixtures.apps.encryption import cookie_api
from tests.support import above_low

CHECK = {"checks": ("encryption.cookies",)}


def scan(serve, run_scan, flags, **options):
    https = serve(cookie_api(flags=flags), tls="modern")
    return run_scan(https.url + "/api/data", **CHECK, **options)


def test_cookies_without_flags_are_flagged(serve, run_scan):
    report = scan(serve, run_scan, "", credentials=Credentials(USER, PASSWORD))
    found = {(f.id, f.parameter): f.severity.value for f in report.findings}
    assert found == {
        # set only after the login: session-like
        ("encryption.cookie-no-secure", "session"): "medium",
        ("encryption.cookie-no-httponly", "session"): "medium",
        ("encryption.cookie-no-samesite", "session"): "low",
        # set on the public root: an ordinary cookie
        ("encryption.cookie-no-secure", "prefs"): "low",
        ("encryption.cookie-no-samesite", "prefs"): "low",
    }
    for finding in report.findings:
        dumped = finding.model_dump_json()
        assert "s3cr3t-session-value" not in dumped  # cookie values never reach a report
        assert PASSWORD not in dumped
    secure = next(f for f in report.findings if f.id == "encryption.cookie-no-secure"
                  and f.parameter == "session")
    assert "SESSION_COOKIE_SECURE=True" in secure.remediation.examples[0].code
    assert 614 in secure.cwe
    assert "Set-Cookie: session=[REDACTED]" in secure.evidence.summary


def test_session_cookie_seen_only_after_login(serve, run_scan):
    report = scan(serve, run_scan, "")
    assert {f.parameter for f in report.findings} == {"prefs"}
    assert above_low(report) == []


def test_cookies_with_all_flags_are_silent(serve, run_scan):
    report = scan(serve, run_scan, "; Secure; HttpOnly; SameSite=Lax",
                  credentials=Credentials(USER, PASSWORD))
    assert report.findings == []
