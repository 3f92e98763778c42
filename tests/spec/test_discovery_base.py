"""Spec discovery when the URL given is one endpoint of the API: the spec's own servers and its
location decide the base, the endpoint is still scanned as given, and a rejected credential
stops the scan (exit 3)."""

from __future__ import annotations

import pytest
from flask import Flask, Response, jsonify

from apivigil.core.config import Credentials
from apivigil.core.errors import ScanError
from tests.fixtures.apps.basic import PASSWORD, USER, challenge, valid_credentials
from tests.support import Recorder

SECURED = {"security": [{"basic": []}], "responses": {"200": {"description": "ok"},
                                                      "401": {"description": "no"}}}
SPEC = {
    "openapi": "3.0.3", "info": {"title": "endpoint", "version": "1"},
    "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
    "paths": {"/api/login": {"get": SECURED}, "/api/secure": {"get": SECURED},
              "/api/health": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def endpoint_api() -> Flask:
    app = Flask("endpoint")
    app.add_url_rule("/openapi.json", "spec", lambda: jsonify(SPEC))
    app.add_url_rule("/api/health", "health", lambda: jsonify(ok=True))

    def secured() -> Response:
        return jsonify(user=USER) if valid_credentials() else challenge()

    app.add_url_rule("/api/login", "login", secured)
    app.add_url_rule("/api/secure", "secure", secured)
    return app


def test_discovered_spec_paths_are_not_joined_onto_the_endpoint_path(serve, run_scan):
    https = serve(endpoint_api(), tls="modern")
    report = run_scan(https.url + "/api/secure", credentials=Credentials(USER, PASSWORD),
                      checks=("inventory.spec-conformance",))
    assert sorted(o.path for o in report.operations) == [
        "/api/health", "/api/login", "/api/secure"]
    assert {o.status for o in report.operations} == {"exercised"}
    assert 404 not in {o.http_status for o in report.operations}  # no /api/secure/api/...
    assert not [o for o in report.operations if o.path.startswith("/api/secure/")]
    assert [f.id for f in report.findings] == []
    assert sum("spec found at" in n for n in report.notices) == 1


def test_endpoint_is_scanned_as_given_when_the_spec_does_not_list_it(serve, run_scan):
    app = endpoint_api()
    app.add_url_rule("/api/extra", "extra", lambda: jsonify(extra=True))
    recorder = Recorder(app)
    https = serve(recorder, tls="modern")
    report = run_scan(https.url + "/api/extra", checks=("data_exposure.sensitive-data",))
    assert len(report.operations) == 3  # the spec's operations only
    # The preflight, then the check's own look at the endpoint as given.
    assert [r["path"] for r in recorder.requests].count("/api/extra") >= 2


def test_wrong_password_with_an_endpoint_url_is_rejected(serve, run_scan):
    https = serve(endpoint_api(), tls="modern")
    with pytest.raises(ScanError, match="rejected"):
        run_scan(https.url + "/api/secure", credentials=Credentials(USER, "wrong"),
                 checks=("inventory.spec-conformance",))
