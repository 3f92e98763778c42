"""The authentication checks on a login POST (JSON or form) and on bearer-token endpoints.

Each flaw is served for real by `jwt_api(login=MODE)` (Flask + PyJWT) or the FastAPI OAuth2 app;
the clean twin is `jwt_api()`: one generic 401 for every failed login, only the right pair
accepted, and a limiter-free login unless the test adds one.
"""

from __future__ import annotations

import pytest

from apivigil.core.config import Credentials, LoginOptions
from apivigil.core.models import OutcomeStatus
from tests.fixtures.apps.oauth import oauth_api
from tests.fixtures.apps.tokens import PASSWORD, USER, jwt_api
from tests.support import Recorder, above_low, outcome, rule_ids

CREDS = Credentials(USER, PASSWORD)
LOGIN = LoginOptions(path="/api/login")


def scan_login(serve, run_scan, app, *checks: str, **options):
    recorder = Recorder(app)
    https = serve(recorder, tls="modern")
    options.setdefault("credentials", CREDS)
    options.setdefault("login", LOGIN)
    report = run_scan(https.url, checks=checks, **options)
    return report, recorder


def test_enumeration_on_a_json_login(serve, run_scan):
    report, recorder = scan_login(serve, run_scan, jwt_api(login="enumerating"),
                                  "authentication.user-enumeration")
    [finding] = report.findings
    assert finding.id == "authentication.user-enumeration"
    assert "POST /api/login answers a wrong password" in finding.description
    assert (finding.evidence.data["known_status"], finding.evidence.data["unknown_status"]) \
        == (401, 404)
    posts = [r for r in recorder.requests if r["method"] == "POST"]
    assert len(posts) == 1 + 1 + 9  # the scan's own login, the empty login, 3 rounds of 3


def test_enumeration_clean_login_is_silent(serve, run_scan):
    report, _ = scan_login(serve, run_scan, jwt_api(), "authentication.user-enumeration",
                           "authentication.verbose-errors")
    assert above_low(report) == []
    assert outcome(report, "authentication.user-enumeration") == "completed"
    assert outcome(report, "authentication.verbose-errors") == "completed"


def test_verbose_login_errors(serve, run_scan):
    report, _ = scan_login(serve, run_scan, jwt_api(login="verbose"),
                           "authentication.verbose-errors")
    assert "authentication.auth-error-internals" in rule_ids(report)
    assert any("POST /api/login" in f.description for f in report.findings)


def test_default_credentials_on_a_login(serve, run_scan):
    report, _ = scan_login(serve, run_scan, jwt_api(login="default-admin"),
                           "authentication.default-credentials")
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.parameter) == (
        "authentication.default-credentials", "critical", "admin")
    assert "POST /api/login" in finding.description
    # the live tokens the default account got are masked like any issued token
    assert "eyJ" not in (finding.evidence.response or "")
    assert '"refresh_token":"[REDACTED]"' in (finding.evidence.response or "").replace(" ", "")


def test_default_credentials_clean_login(serve, run_scan):
    report, recorder = scan_login(serve, run_scan, jwt_api(),
                                  "authentication.default-credentials")
    assert report.findings == []
    assert outcome(report, "authentication.default-credentials") == "completed"
    assert sum(r["method"] == "POST" for r in recorder.requests) == 1 + 1 + 11


@pytest.mark.parametrize(("mode", "rule"), [("password-only", "ignores-username"),
                                            ("username-only", "ignores-password")])
def test_broken_credential_check_on_a_login(serve, run_scan, mode, rule):
    report, _ = scan_login(serve, run_scan, jwt_api(login=mode),
                           "authentication.broken-credential-check")
    assert f"authentication.{rule}" in rule_ids(report)
    assert all("POST /api/login accepted the supplied pair" in f.description
               for f in report.findings)
    assert PASSWORD not in report.model_dump_json()


def test_broken_credential_check_clean_login(serve, run_scan):
    report, _ = scan_login(serve, run_scan, jwt_api(), "authentication.broken-credential-check")
    assert report.findings == []
    assert outcome(report, "authentication.broken-credential-check") == "completed"


def test_bearer_enforcement_variants(serve, run_scan):
    report, recorder = scan_login(serve, run_scan, jwt_api("any-token"),
                                  "authentication.enforcement")
    titles = {f.title for f in report.findings}
    assert "Protected endpoint accepts a random bearer token" in titles
    assert "Protected endpoint accepts another scheme (a random Basic pair)" not in titles
    assert all("jwt.decode" in f.remediation.examples[0].code for f in report.findings)
    sent = {r["authorization"].split(" ")[0] + (" <token>" if " " in r["authorization"] else "")
            for r in recorder.requests if r["path"] == "/api/me"}
    assert sent == {"", "Bearer", "Bearer <token>", "Basic <token>"}


def test_bearer_enforcement_clean(serve, run_scan):
    report, _ = scan_login(serve, run_scan, jwt_api(), "authentication.enforcement")
    assert report.findings == []
    assert outcome(report, "authentication.enforcement") == "completed"


def test_login_throttling_burst_is_posts_to_the_login(serve, run_scan):
    report, recorder = scan_login(serve, run_scan, jwt_api(),
                                  "rate_limiting.login-throttling", settings={"login_burst": 12})
    [finding] = report.findings
    assert finding.id == "rate_limiting.no-login-throttling"
    assert "POST /api/login answered all 12 failed logins" in finding.description
    assert sum(r["method"] == "POST" and r["path"] == "/api/login"
               for r in recorder.requests) == 1 + 12


def test_throttling_login_is_reported_as_throttled_never_a_crash(serve, run_scan):
    report, _ = scan_login(serve, run_scan, jwt_api(throttle_after=4), "authentication",
                           "rate_limiting")
    assert all(o.status is not OutcomeStatus.ERROR for o in report.checks), \
        [(o.check, o.reason) for o in report.checks if o.status is OutcomeStatus.ERROR]
    ids = rule_ids(report)
    assert "rate_limiting.no-login-throttling" not in ids
    assert "rate_limiting.login-throttled" in ids
    # What throttling kept from a verdict is inconclusive, never completed (clean).
    assert any(o.status is OutcomeStatus.INCONCLUSIVE and "throttled" in (o.reason or "")
               for o in report.checks)


def test_oauth2_form_login_gets_the_same_checks(serve_asgi, run_scan):
    url = serve_asgi(oauth_api())
    report = run_scan(url, credentials=CREDS, checks=(
        "authentication.user-enumeration", "authentication.default-credentials",
        "authentication.broken-credential-check", "authentication.enforcement"))
    assert above_low(report) == []
    assert {o.check: o.status.value for o in report.checks} == {
        "authentication.user-enumeration": "completed",
        "authentication.default-credentials": "completed",
        "authentication.broken-credential-check": "completed",
        "authentication.enforcement": "completed"}


def test_timing_enumeration_on_a_login(serve, run_scan):
    """The password is hashed only for real users: failed logins take longer for them."""
    report, _ = scan_login(serve, run_scan, jwt_api(login="slow-known"),
                           "authentication.user-enumeration-timing")
    [finding] = report.findings
    assert finding.id == "authentication.user-enumeration-timing"
    assert finding.description.startswith("POST /api/login: a wrong password for an existing")


def test_timing_enumeration_clean_login(serve, run_scan):
    report, _ = scan_login(serve, run_scan, jwt_api(), "authentication.user-enumeration-timing")
    assert report.findings == []
    assert outcome(report, "authentication.user-enumeration-timing") == "completed"


def test_login_throttling_bypass_with_a_forged_address(serve, run_scan):
    report, recorder = scan_login(
        serve, run_scan, jwt_api(throttle_after=4, throttle_key="x-forwarded-for"),
        "rate_limiting.bypass")
    [finding] = [f for f in report.findings if f.id == "rate_limiting.address-header-bypass"]
    assert finding.parameter == "X-Forwarded-For"
    assert finding.description.startswith("POST /api/login was throttled at failed login 5")
    assert all(r["method"] == "POST" for r in recorder.requests if r["path"] == "/api/login")


def test_login_throttling_keyed_on_the_connection_is_not_bypassed(serve, run_scan):
    report, _ = scan_login(serve, run_scan, jwt_api(throttle_after=4), "rate_limiting.bypass")
    assert above_low(report) == []
    assert outcome(report, "rate_limiting.bypass") == "completed"


def test_cli_bad_login_options_are_exit_2():
    import subprocess
    import sys

    for extra in (["--login", "api/login"], ["--login", "/l", "--login-body", '{"u": "x"}']):
        result = subprocess.run([sys.executable, "-m", "apivigil", "scan",
                                 "https://127.0.0.1:9/", "-u", "a:b", *extra],
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2
        assert result.stderr.startswith("apivigil: error: --login")
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("vulnerable", [True, False], ids=["any-key", "clean"])
def test_api_key_enforcement(serve, run_scan, vulnerable):
    from apivigil.core.config import Identity
    from tests.fixtures.apps.tokens import API_KEY, apikey_api

    https = serve(apikey_api(any_key=vulnerable), tls="modern")
    report = run_scan(https.url, checks=("authentication.enforcement",),
                      user_credential=Identity.from_credential("user", f"apikey:{API_KEY}"))
    titles = {f.title for f in report.findings}
    if vulnerable:
        assert titles == {"Protected endpoint accepts a random X-API-Key"}
    else:
        assert report.findings == []
        assert outcome(report, "authentication.enforcement") == "completed"


@pytest.mark.parametrize("vulnerable", [True, False], ids=["any-session", "clean"])
def test_session_cookie_enforcement(serve, run_scan, vulnerable):
    from tests.fixtures.apps.tokens import cookie_api

    recorder = Recorder(cookie_api(any_session=vulnerable))
    https = serve(recorder, tls="modern")
    report = run_scan(https.url, credentials=CREDS, login=LOGIN,
                      checks=("authentication.enforcement",))
    assert any("HTTP_COOKIE=session=x-" in r["headers"] for r in recorder.requests)
    if vulnerable:
        assert {f.title for f in report.findings} == {
            "Protected endpoint accepts a random session cookie"}
    else:
        assert report.findings == []
        assert outcome(report, "authentication.enforcement") == "completed"
