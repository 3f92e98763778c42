"""authentication.broken-credential-check: user name and password must be verified together."""

from __future__ import annotations

import base64

import pytest

from apivigil.core.config import Credentials
from apivigil.demo.server import demo_scan_options, serve_demo
from apivigil.engine.runner import Scanner
from tests.fixtures.apps.auth import login_api
from tests.fixtures.apps.basic import PASSWORD, USER
from tests.support import above_low, assert_completed, outcome

CHECK = {"checks": ("authentication.broken-credential-check",)}
CREDS = Credentials(USER, PASSWORD)


@pytest.mark.parametrize(("mode", "rule"), [
    ("password-only", "authentication.ignores-username"),
    ("username-only", "authentication.ignores-password"),
])
def test_a_check_that_ignores_half_the_pair_is_critical(serve, run_scan, mode, rule):
    https = serve(login_api(mode), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert [(f.id, f.severity.value, f.path) for f in report.findings] == [
        (rule, "critical", "/api/login")]
    # The real password was sent with a random user name: no form of it may reach the report.
    text = report.model_dump_json()
    assert PASSWORD not in text
    assert base64.b64encode(PASSWORD.encode()).decode().rstrip("=") not in text
    assert "Basic [REDACTED]" in (report.findings[0].evidence.request or "")


def test_correct_check_is_silent(serve, run_scan):
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert report.findings == []
    assert report.checks[0].requests == 1 + 3  # baseline; the pair, then two mismatches


def test_without_credentials_it_is_skipped_with_the_reason(serve, run_scan):
    https = serve(login_api("password-only"), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    assert outcome(report, "authentication.broken-credential-check") == "skipped"
    assert "-u" in (report.checks[0].reason or "")


def test_credentials_are_never_sent_over_cleartext(serve, run_scan):
    http = serve(login_api("password-only"))
    report = run_scan(http.url + "/api/login", credentials=CREDS, **CHECK)
    assert outcome(report, "authentication.broken-credential-check") == "skipped"
    assert "cleartext" in (report.checks[0].reason or "")
    assert report.findings == []


def test_vulnerable_demo_secure_endpoint_is_flagged_and_hardened_is_not():
    for hardened in (False, True):
        with serve_demo(hardened=hardened) as demo:
            report = Scanner(demo_scan_options(demo, **CHECK)).run()
        found = {(f.id, f.path) for f in report.findings}
        if hardened:
            assert_completed(report)
            assert above_low(report) == []
        else:
            assert ("authentication.ignores-username", "/api/secure") in found
            assert ("authentication.ignores-username", "/api/login") not in found
