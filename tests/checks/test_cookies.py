"""encryption.cookies on HTTPS answers, anonymous and after a successful login (Basic, or a
--login POST whose answer is the only one that sets the session cookie)."""

from __future__ import annotations

import pytest

from apivigil.core.config import Credentials, LoginOptions
from tests.fixtures.apps.basic import PASSWORD, USER
from tests.fixtures.apps.encryption import cookie_api, login_cookie_api
from tests.support import above_low, assert_completed

CHECK = {"checks": ("encryption.cookies",)}
ALL_FLAGS = "; Secure; HttpOnly; SameSite=Lax"


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
    assert_completed(report)
    assert above_low(report) == []


def test_cookies_with_all_flags_are_silent(serve, run_scan):
    report = scan(serve, run_scan, "; Secure; HttpOnly; SameSite=Lax",
                  credentials=Credentials(USER, PASSWORD))
    assert_completed(report)
    assert report.findings == []


def scan_login(serve, run_scan, flags, renewed=None):
    app = login_cookie_api(flags=flags, renewed=renewed)
    https = serve(app, tls="modern")
    report = run_scan(https.url + "/api/data", **CHECK, credentials=Credentials(USER, PASSWORD),
                      login=LoginOptions(path="/api/login"))
    return report, app.config["SESSIONS"]


def test_session_cookie_set_only_by_the_login_answer_is_flagged(serve, run_scan):
    report, issued = scan_login(serve, run_scan, "")
    found = {(f.id, f.parameter): f.severity.value for f in report.findings}
    assert found == {
        ("encryption.cookie-no-secure", "session"): "medium",
        ("encryption.cookie-no-httponly", "session"): "medium",
        ("encryption.cookie-no-samesite", "session"): "low",
    }
    assert issued  # the scan logged in
    for finding in report.findings:
        assert finding.method == "POST" and finding.url.endswith("/api/login")
        assert "Set-Cookie: session=[REDACTED] (on POST " in finding.evidence.summary
        assert "\nset-cookie: [REDACTED]\n" in finding.evidence.response
        dumped = finding.model_dump_json()
        assert not any(value in dumped for value in issued)  # cookie values never reported
        assert PASSWORD not in dumped


def test_session_cookie_set_by_the_login_answer_with_all_flags_is_silent(serve, run_scan):
    report, issued = scan_login(serve, run_scan, ALL_FLAGS)
    assert issued
    assert_completed(report)
    assert report.findings == []


@pytest.mark.parametrize(("at_login", "renewed", "shown_on"), [
    ("", ALL_FLAGS, "POST"), (ALL_FLAGS, "", "GET")], ids=["weak-login", "weak-renewal"])
def test_cookie_set_by_login_and_renewed_is_judged_on_both_once(serve, run_scan, at_login,
                                                                renewed, shown_on):
    report, _ = scan_login(serve, run_scan, at_login, renewed)
    assert sorted(f.id for f in report.findings) == [
        "encryption.cookie-no-httponly", "encryption.cookie-no-samesite",
        "encryption.cookie-no-secure"]
    assert {f.method for f in report.findings} == {shown_on}  # the answer lacking the flags
