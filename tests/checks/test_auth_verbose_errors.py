"""authentication.verbose-errors: failed logins must say nothing about what was wrong."""

from __future__ import annotations

from flask import Flask, Response, jsonify

from apivigil.core.config import Credentials
from tests.fixtures.apps.auth import login_api
from tests.fixtures.apps.basic import PASSWORD, USER, challenge, valid_credentials
from tests.support import above_low, assert_completed

CHECK = {"checks": ("authentication.verbose-errors",)}
CREDS = Credentials(USER, PASSWORD)


def test_messages_echo_and_status_that_tell_failures_apart(serve, run_scan):
    https = serve(login_api("enumerating"), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    found = {f.id: f for f in report.findings}
    assert set(found) == {"authentication.verbose-auth-error", "authentication.username-echoed",
                          "authentication.inconsistent-auth-status"}
    assert {f.severity.value for f in report.findings} == {"low"}
    assert found["authentication.verbose-auth-error"].evidence.data["message"] in (
        "unknown user", "wrong password")
    assert found["authentication.inconsistent-auth-status"].evidence.data[
        "unknown user, wrong password"] == 404


def test_traceback_in_a_failed_login_is_medium(serve, run_scan):
    https = serve(login_api("internals"), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value) == ("authentication.auth-error-internals",
                                                    "medium")
    assert finding.evidence.data["signature"] == "Python traceback"


def test_generic_message_is_silent(serve, run_scan):
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert_completed(report)
    assert report.findings == []


def test_invalid_username_or_password_is_not_verbose(serve, run_scan):
    """The recommended generic wording names both parts: no false alarm on it."""
    app = Flask("generic-wording")

    @app.get("/api/login")
    def login() -> Response:
        if valid_credentials():
            return jsonify(user=USER)
        response = challenge()
        response.set_data(b'{"error": "Invalid username or password."}')
        return response

    https = serve(app, tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert_completed(report)
    assert above_low(report) == []
    assert report.findings == []


def test_401_without_challenge_is_low(serve, run_scan):
    https = serve(login_api("no-challenge"), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert [(f.id, f.severity.value, f.path) for f in report.findings] == [
        ("authentication.missing-challenge", "low", "/api/login")]
