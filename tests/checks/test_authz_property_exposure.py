"""property_authorization.exposure: other users' private properties, and writeOnly properties,
in responses; silent when responses are filtered by who asks."""

from __future__ import annotations

import copy

import pytest
from flask import Flask, jsonify

from apivigil.checks.authorization.property_exposure import private_kind
from apivigil.core.config import Identity
from tests.fixtures.apps.authz_api import PASSWORD_HASH, SPEC, authz_api, identity
from tests.fixtures.apps.basic import valid_credentials
from tests.support import assert_completed

CHECK = {"checks": ("property_authorization.exposure",)}
USERS = (Identity.parse(identity("alice", "user")), Identity.parse(identity("bob", "user")),
         Identity.parse(identity("root", "admin")))


def test_other_users_hash_and_email_are_flagged_and_masked(serve, run_scan, tmp_spec):
    https = serve(authz_api(filter_users=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=USERS, **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.confidence.value, finding.path) == (
        "property_authorization.other-user-private-property", "high", "high", "/api/users")
    assert finding.evidence.data["properties"] == ["email", "password_hash"]
    assert 213 in finding.cwe and [o.value for o in finding.owasp] == ["API3:2023"]
    text = report.model_dump_json()
    assert PASSWORD_HASH not in text and "bob@example.test" not in text
    assert "[masked]" in finding.evidence.response


def test_filtered_views_are_silent_and_admins_are_not_judged(serve, run_scan, tmp_spec):
    https = serve(authz_api(filter_users=True), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=USERS, **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"


WRITE_ONLY_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "security": [{"basic": []}],
    "components": {
        "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
        "schemas": {"Me": {"type": "object", "properties": {
            "username": {"type": "string"},
            "password": {"type": "string", "writeOnly": True}}}},
    },
    "paths": {"/api/me": {"get": {"responses": {"200": {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}}}}}},
}


def _me_app(echo_password: bool, token: bool = False) -> Flask:
    app = Flask("me")

    @app.get("/api/me")
    def me():
        if not valid_credentials():
            return jsonify(error="unauthorized"), 401
        body = {"username": "carol"}
        if echo_password:
            body["password"] = "stored-plaintext-value"
        if token:
            body["api_token"] = "sk-live-0123456789abcdef"
            body["avatar_hash"] = "9f86d081884c7d65"
        return jsonify(body)

    return app


def test_write_only_property_in_a_response_is_flagged(serve, run_scan, tmp_spec):
    https = serve(_me_app(echo_password=True), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(WRITE_ONLY_SPEC),
                      identities=(Identity.parse("carol=carol:correct-horse-battery"),), **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.parameter) == (
        "property_authorization.write-only-property-exposed", "high", "password")
    assert "stored-plaintext-value" not in report.model_dump_json()


def test_write_only_property_not_returned_is_silent(serve, run_scan, tmp_spec):
    https = serve(_me_app(echo_password=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(WRITE_ONLY_SPEC),
                      identities=(Identity.parse("carol=carol:correct-horse-battery"),), **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"


@pytest.mark.parametrize(("name", "kind"), [
    ("password_hash", "secret"), ("pwdHash", "secret"), ("api_token", "secret"),
    ("ssn", "secret"), ("email", "personal"), ("phone_number", "personal"),
    ("avatar_hash", None), ("content_hash", None), ("lessons", None), ("spinner", None),
    ("username", None),
])
def test_private_property_names(name, kind):
    assert private_kind(name) == kind


CAROL = (Identity.parse("carol=carol:correct-horse-battery"),)


def _declared_spec():
    spec = copy.deepcopy(WRITE_ONLY_SPEC)
    spec["components"]["schemas"]["Me"]["properties"] = {"username": {"type": "string"}}
    return spec


def test_undeclared_secret_property_is_flagged(serve, run_scan, tmp_spec):
    https = serve(_me_app(echo_password=False, token=True), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(_declared_spec()), identities=CAROL, **CHECK)
    [finding] = report.findings  # avatar_hash is undeclared too, but not a secret
    assert (finding.id, finding.severity.value, finding.parameter) == (
        "property_authorization.undeclared-secret-property", "medium", "api_token")
    assert "sk-live-0123456789abcdef" not in report.model_dump_json()


def test_declared_properties_only_is_silent(serve, run_scan, tmp_spec):
    https = serve(_me_app(echo_password=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(_declared_spec()), identities=CAROL, **CHECK)
    assert_completed(report)
    assert report.findings == []
