"""authentication.malformed-authorization: odd Authorization headers must get a calm 4xx."""

from __future__ import annotations

from tests.fixtures.apps.auth import hand_parsed_api, login_api
from tests.fixtures.apps.basic import protected_api
from tests.support import above_low, assert_completed

CHECK = {"checks": ("authentication.malformed-authorization",)}


def test_hand_parser_that_shows_its_traceback_is_medium(serve, run_scan):
    https = serve(hand_parsed_api(show_traceback=True), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    variants = {f.parameter for f in report.findings}
    assert {f.id for f in report.findings} == {"authentication.malformed-header-traceback"}
    assert {f.severity.value for f in report.findings} == {"medium"}
    assert {"bad base64", "no colon", "non-UTF-8 credentials"} <= variants
    assert "Traceback (most recent call last)" in (report.findings[0].evidence.response or "")


def test_hand_parser_that_crashes_quietly_is_low(serve, run_scan):
    https = serve(hand_parsed_api(show_traceback=False), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    assert {f.id for f in report.findings} == {"authentication.malformed-header-error"}
    assert {f.evidence.data["status"] for f in report.findings} == {500}
    assert above_low(report) == []


def test_robust_parser_is_silent(serve, run_scan):
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    assert report.findings == []
    assert report.checks[0].requests == 1 + 8  # baseline and the eight variants


def test_werkzeug_request_authorization_crashes_on_non_ascii_basic_tokens(serve, run_scan):
    """Werkzeug 3.1's parser raises ValueError on a non-ASCII Basic token: a real 500 in
    every Flask app that reads request.authorization directly, reported as low."""
    https = serve(protected_api(), tls="modern")
    report = run_scan(https.url + "/api/data", **CHECK)
    assert [(f.id, f.parameter) for f in report.findings] == [
        ("authentication.malformed-header-error", "non-ASCII bytes")]
    assert_completed(report)
    assert above_low(report) == []
