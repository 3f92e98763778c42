"""authentication.user-enumeration: failed logins must not tell known from unknown users."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, jsonify

from apivigil.core.config import Credentials
from tests.fixtures.apps.auth import login_api, throttled
from tests.fixtures.apps.basic import PASSWORD, USER, valid_credentials
from tests.support import outcome

CHECK = {"checks": ("authentication.user-enumeration",)}
CREDS = Credentials(USER, PASSWORD)


def test_status_and_body_difference_is_flagged(serve, run_scan):
    https = serve(login_api("enumerating"), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.confidence.value) == (
        "authentication.user-enumeration", "medium", "high")
    data = finding.evidence.data
    assert (data["known_status"], data["unknown_status"]) == (401, 404)
    assert (data["known_samples"], data["unknown_samples"]) == (3, 3)
    assert "unknown user" in finding.evidence.summary
    assert report.checks[0].requests == 1 + 9  # the shared baseline, then 3 rounds of 3


def test_generic_failures_are_silent(serve, run_scan):
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert report.findings == []
    assert outcome(report, "authentication.user-enumeration") == "completed"


def test_no_false_alarm_on_dynamic_bodies(serve, run_scan):
    """Request ids, timestamps and counters differ on every answer, for everyone alike."""
    app = Flask("dynamic")
    counter = itertools.count()

    @app.get("/api/login")
    def login() -> Response:
        if valid_credentials():
            return jsonify(user=USER)
        response = jsonify(error="invalid credentials", request_id=str(uuid.uuid4()),
                           at=datetime.now(UTC).isoformat(), attempt=next(counter))
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Basic realm="api"'
        response.headers["X-Request-Id"] = uuid.uuid4().hex
        return response

    https = serve(app, tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert report.findings == []


def test_throttling_mid_comparison_is_not_enumeration(serve, run_scan):
    # 429 after 4 failures: known and unknown answers would differ only because of it.
    https = serve(throttled(login_api("clean"), failures=4), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert report.findings == []
    # Throttled is no verdict: the check ends inconclusive, never completed (clean).
    assert report.checks[0].status.value == "inconclusive"
    assert "429" in (report.checks[0].reason or "")
    assert report.plan_summary() == "0 of 1 checks completed; 1 inconclusive: throttled"


def test_without_a_user_name_it_is_skipped(serve, run_scan):
    https = serve(login_api("enumerating"), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    assert outcome(report, "authentication.user-enumeration") == "skipped"


def test_runs_on_cleartext_with_only_the_user_name(serve, run_scan):
    """The password is withheld over http://, but a user name is not a secret."""
    http = serve(login_api("enumerating"))
    report = run_scan(http.url + "/api/login", credentials=CREDS, **CHECK)
    assert [f.id for f in report.findings] == ["authentication.user-enumeration"]
    assert PASSWORD not in report.model_dump_json()
