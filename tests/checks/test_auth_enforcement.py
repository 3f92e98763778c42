"""authentication.enforcement: protected endpoints must refuse what is not a valid credential."""

from __future__ import annotations

from flask import Flask, jsonify, request

from tests.fixtures.apps.basic import challenge, protected_api
from tests.support import above_low

CHECK = {"checks": ("authentication.enforcement",)}

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "security": [{"basic": []}],
    "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
    "paths": {"/api/data": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def test_declared_secured_but_open_is_critical(serve, run_scan, tmp_spec):
    app = Flask("open")
    app.get("/api/data")(lambda: jsonify(items=[1]))
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.path) == (
        "authentication.not-enforced", "critical", "/api/data")


def test_challenge_that_accepts_any_password_is_critical(serve, run_scan):
    app = Flask("any-password")

    @app.get("/api/data")
    def data():
        if request.authorization is None:  # only checks that *some* credential is present
            return challenge()
        return jsonify(items=[1])

    https = serve(app, tls="modern")
    report = run_scan(https.url + "/api/data", **CHECK)
    labels = {f.parameter for f in report.findings}
    # Werkzeug parses undecodable base64 as "no credentials", so only two variants get in.
    assert labels == {"wrong credentials", "empty password"}
    assert {f.severity.value for f in report.findings} == {"critical"}


def test_correct_basic_auth_is_silent(serve, run_scan, tmp_spec):
    https = serve(protected_api(), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), **CHECK)
    assert above_low(report) == []
    assert report.checks[0].status.value == "completed"


def test_bearer_endpoint_gets_a_random_bearer_token(serve, run_scan):
    """An endpoint that challenges with Bearer only is probed with a Bearer token."""
    app = Flask("any-bearer")
    seen: list[str] = []

    @app.get("/api/data")
    def data():
        header = request.headers.get("Authorization", "")
        seen.append(header.split(" ", 1)[0])
        if not header.startswith("Bearer ") or len(header) < 20:
            response = jsonify(error="invalid token")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        return jsonify(items=[1])  # any long-enough token gets in

    https = serve(app, tls="modern")
    report = run_scan(https.url + "/api/data", **CHECK)
    assert sorted((f.id, f.parameter) for f in report.findings) == [
        ("authentication.accepts-invalid-credentials", "a malformed bearer token"),
        ("authentication.accepts-invalid-credentials", "a random bearer token")]
    assert "Bearer" in seen and "Basic" in seen  # the bearer probes, then another scheme


def test_an_open_endpoint_declared_bearer_gets_the_bearer_fix(serve, run_scan, tmp_spec):
    """The fix shown follows the scheme the spec declares: token verification, not Basic."""
    app = Flask("open-bearer")
    app.get("/api/data")(lambda: jsonify(items=[1]))
    spec = {**SPEC, "security": [{"bearer": []}], "components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}}}
    report = run_scan(serve(app, tls="modern").url, spec=tmp_spec(spec), **CHECK)
    [finding] = report.findings
    assert finding.id == "authentication.not-enforced"
    assert "OAuth2PasswordBearer" in {e.framework.value: e.code
                                      for e in finding.remediation.examples}["fastapi"]
