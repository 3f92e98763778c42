"""The JWT family against real Flask + PyJWT APIs on loopback: one vulnerable app per flaw and
its clean twin (a random 256-bit key, algorithms pinned, `exp` required).

The scan logs in with `--login` (a JSON POST answering a bearer JWT), exactly as a user would.
"""

from __future__ import annotations

import json

import pytest

from apivigil.core.config import Credentials, LoginOptions
from tests.fixtures.apps.tokens import PASSWORD, USER, WEAK_KEY, jwt_api
from tests.support import Recorder, above_low, outcome, rule_ids

CREDS = Credentials(USER, PASSWORD)
LOGIN = LoginOptions(path="/api/login")
JWT = ("jwt.analysis", "jwt.weak-secret", "jwt.forgery")


def scan(serve, run_scan, app):
    recorder = Recorder(app)
    https = serve(recorder, tls="modern")
    report = run_scan(https.url, credentials=CREDS, login=LOGIN, checks=JWT)
    return report, recorder, app


def assert_token_never_shown(report, app):
    text = report.model_dump_json()
    for token in app.config["ISSUED"]:
        assert token not in text
        assert token.rsplit(".", 1)[1] not in text  # never the signature
    assert WEAK_KEY not in text and PASSWORD not in text


@pytest.mark.parametrize(("flaw", "rule", "severity"), [
    ("weak-key", "authentication.jwt-weak-secret", "critical"),
    ("alg-none", "authentication.jwt-alg-none", "critical"),
    ("unverified", "authentication.jwt-signature-not-verified", "critical"),
    ("alg-confusion", "authentication.jwt-algorithm-confusion", "critical"),
    ("no-expiry", "authentication.jwt-no-expiry", "medium"),
])
def test_each_flaw_is_flagged(serve, run_scan, flaw, rule, severity):
    report, _, app = scan(serve, run_scan, jwt_api(flaw))
    found = {f.id: f for f in report.findings}
    assert rule in found, sorted(found)
    assert found[rule].severity.value == severity
    assert {"header", "claims"} <= set(found[rule].evidence.data)
    assert found[rule].evidence.data.get("signature", "[not shown]") == "[not shown]"
    assert_token_never_shown(report, app)
    forgery = next(o for o in report.checks if o.check == "jwt.forgery")
    assert forgery.status.value == "completed" and forgery.requests <= 15


def test_weak_key_is_shown_masked(serve, run_scan):
    report, _, _ = scan(serve, run_scan, jwt_api("weak-key"))
    [finding] = [f for f in report.findings if f.id == "authentication.jwt-weak-secret"]
    assert finding.evidence.data["key"] == "s*****1 (7 characters)"
    assert set(finding.cwe) >= {321, 798}
    assert "API2:2023" in [o.value for o in finding.owasp]
    # the guessed key proves an expired copy can be signed: the clean-exp app refuses it
    assert "authentication.jwt-expired-accepted" not in rule_ids(report)


def test_signature_not_verified_shows_altered_claims(serve, run_scan):
    report, _, _ = scan(serve, run_scan, jwt_api("unverified"))
    [finding] = [f for f in report.findings
                 if f.id == "authentication.jwt-signature-not-verified"]
    assert json.loads(finding.evidence.data["altered_claims"])["sub"] == f"{USER}-apivigil"
    assert "Bearer [REDACTED]" in (finding.evidence.request or "")
    # nothing is verified: the other forgeries are not sent (one finding, not five)
    assert "authentication.jwt-alg-none" not in rule_ids(report)


def test_sensitive_claims(serve, run_scan):
    report, _, _ = scan(serve, run_scan, jwt_api("no-expiry"))
    [finding] = [f for f in report.findings if f.id == "authentication.jwt-sensitive-claims"]
    assert finding.severity.value == "high"
    assert json.loads(finding.evidence.data["claims"])["password_hash"] == "[REDACTED]"
    assert "$2b$" not in report.model_dump_json()


def test_expired_token_accepted(serve, run_scan):
    report, _, _ = scan(serve, run_scan, jwt_api("expired-accepted", lifetime=2))
    assert "authentication.jwt-expired-accepted" in rule_ids(report)


@pytest.mark.parametrize("app", [jwt_api(), jwt_api("rs256"), jwt_api(lifetime=2)],
                         ids=["hs256", "rs256", "short-lived"])
def test_clean_twins_are_silent(serve, run_scan, app):
    report, _, _ = scan(serve, run_scan, app)
    assert above_low(report) == []
    assert {outcome(report, c) for c in ("jwt.analysis", "jwt.forgery")} == {"completed"}
    assert_token_never_shown(report, app)


def test_no_jwt_is_a_clear_skip(serve, run_scan):
    from tests.fixtures.apps.tokens import cookie_api

    https = serve(cookie_api(), tls="modern")
    report = run_scan(https.url, credentials=CREDS, login=LOGIN, checks=JWT)
    assert {o.status.value for o in report.checks} == {"skipped"}
    assert all("no JWT among the credentials" in (o.reason or "") for o in report.checks)
    json.dumps(report.model_dump(mode="json"))


@pytest.mark.parametrize("token", [
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.a",  # a signature that is not base64url
    "eyJhbGciOiJIUzI1NiJ9.W10.c2ln",  # claims that are a list
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",  # unsigned
    "not-a-jwt-at-all",
])
def test_odd_tokens_never_crash_the_family(serve, run_scan, token):
    from apivigil.core.config import Identity

    https = serve(jwt_api("any-token"), tls="modern")
    report = run_scan(https.url, checks=JWT,
                      user_credential=Identity.from_credential("user", f"bearer:{token}"))
    assert {o.status.value for o in report.checks} <= {"completed", "skipped"}
    assert token not in report.model_dump_json()


def test_the_family_is_selected_by_its_prefix():
    from apivigil.checks.registry import REGISTRY

    assert [c.meta.id for c in REGISTRY.select(["jwt"])] == list(JWT)


@pytest.mark.parametrize(("status", "outcome_status"), [(500, "inconclusive"), (403, "skipped")])
def test_a_token_no_endpoint_accepts_is_no_all_clear(status, outcome_status, serve, run_scan):
    """The protected endpoints answer 500 (a back end down behind the auth) or 403 to any
    token: the notice says what happened (naming the server errors), and the check ends
    without a verdict, so the report does not pass the tokens off as checked."""
    from flask import jsonify, request

    app = jwt_api()

    @app.before_request
    def refuse_tokens():  # type: ignore[no-untyped-def]
        if request.path in ("/api/me", "/api/notes") and request.headers.get("Authorization"):
            return jsonify(error="no"), status
        return None

    report, _, _ = scan(serve, run_scan, app)
    [notice] = [n for n in report.notices if n.startswith("jwt.forgery:")]
    assert "forged tokens were not tried" in notice
    if status == 500:
        assert "genuine JWT of identity 'user' got a server error" in notice
        assert "HTTP 500 on GET /api/me" in notice
    else:
        assert "no protected GET endpoint accepted the JWT of identity 'user'" in notice
    assert outcome(report, "jwt.forgery") == outcome_status
    assert not [f for f in report.findings if f.id.startswith("authentication.jwt-signature")]
