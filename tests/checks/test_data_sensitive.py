"""data_exposure.sensitive-data: leaked hashes, keys, personal data and echoed credentials."""

from __future__ import annotations

from apivigil.core.config import Credentials
from tests.fixtures.apps.basic import PASSWORD, USER
from tests.fixtures.apps.data_exposure import (
    AWS_KEY,
    BCRYPT,
    GITHUB,
    benign_lookalikes_api,
    echo_api,
    users_api,
)
from tests.support import assert_completed

CHECK = {"checks": ("data_exposure.sensitive-data",),
         "credentials": Credentials(USER, PASSWORD)}


def test_user_records_with_hashes_keys_and_personal_data_are_flagged(serve, run_scan):
    https = serve(users_api(leak=True), tls="modern")
    report = run_scan(https.url + "/api/users", **CHECK)
    found = {f.id: f for f in report.findings}
    assert {k: f.severity.value for k, f in found.items()} == {
        "data_exposure.password-hash": "high",
        "data_exposure.api-key": "high",
        "data_exposure.card-number": "high",
        "data_exposure.national-id": "medium",
        "data_exposure.bulk-emails": "medium",
    }
    hashes = found["data_exposure.password-hash"]
    assert any("$.users[0].password_hash: bcrypt" in place
               for place in hashes.evidence.data["locations"])  # type: ignore[union-attr]
    assert any("bare hex digest (128 bits)" in place
               for place in hashes.evidence.data["locations"])  # type: ignore[union-attr]
    # Evidence says where, with the values masked: no full secret in the report.
    dumped = report.model_dump_json()
    for secret in (BCRYPT, AWS_KEY, GITHUB, "4111 1111 1111 1111", "123-45-6789"):
        assert secret not in dumped
    assert "$2b$…" in (hashes.evidence.response or "")


def test_user_records_with_declared_fields_only_are_silent(serve, run_scan):
    https = serve(users_api(leak=False), tls="modern")
    report = run_scan(https.url + "/api/users", **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"


def test_echoed_credentials_are_flagged_and_redacted(serve, run_scan):
    https = serve(echo_api(echo=True), tls="modern")
    report = run_scan(https.url + "/api/me", **CHECK)
    found = {(f.id, f.severity.value, f.parameter) for f in report.findings}
    assert found == {("data_exposure.credentials-echoed", "high", None),
                     ("data_exposure.credentials-echoed", "medium", "failed login")}
    assert PASSWORD not in report.model_dump_json()
    echoed = next(f for f in report.findings if f.severity.value == "high")
    assert "[REDACTED]" in (echoed.evidence.response or "")


def test_identity_without_credentials_is_silent(serve, run_scan):
    https = serve(echo_api(echo=False), tls="modern")
    report = run_scan(https.url + "/api/me", **CHECK)
    assert_completed(report)
    assert report.findings == []


def test_lookalike_values_are_not_false_alarms(serve, run_scan):
    """Regression for precision: hashes, ids and tokens that only look like leaks."""
    https = serve(benign_lookalikes_api(), tls="modern")
    report = run_scan(https.url + "/api/files", checks=("data_exposure.sensitive-data",))
    assert report.findings == []
    assert report.checks[0].status.value == "completed"


def test_short_password_in_ordinary_text_is_not_an_echo(serve, run_scan):
    """Regression for precision: the password 'admin' and a role named 'admin'."""
    from flask import Flask, jsonify, request

    app = Flask("roles")

    @app.get("/api/me")
    def me():
        auth = request.authorization
        if not auth or (auth.username, auth.password) != ("dave", "admin"):
            return jsonify(error="invalid"), 401, {"WWW-Authenticate": 'Basic realm="api"'}
        return jsonify(user="dave", role="admin")

    https = serve(app, tls="modern")
    report = run_scan(https.url + "/api/me", checks=("data_exposure.sensitive-data",),
                      credentials=Credentials("dave", "admin"))
    assert_completed(report)
    assert report.findings == []
