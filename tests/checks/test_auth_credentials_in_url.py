"""authentication.credentials-in-url: credentials must not travel in query strings."""

from __future__ import annotations

from tests.fixtures.apps.auth import login_api, query_token_api, spec_with_query_credentials

CHECK = {"checks": ("authentication.credentials-in-url",)}
BASE = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "security": [{"basic": []}],
    "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
}


def test_spec_declared_query_credential_is_medium(serve, run_scan, tmp_spec):
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(spec_with_query_credentials(BASE)), **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.parameter) == (
        "authentication.credentials-in-query", "medium", "api_key")
    assert finding.evidence.data["operations"] == ["GET /api/login"]


def test_spec_api_key_scheme_in_query_is_flagged(serve, run_scan, tmp_spec):
    document = dict(BASE, security=[{"key": []}],
                    components={"securitySchemes": {
                        "key": {"type": "apiKey", "in": "query", "name": "key"}}},
                    paths={"/api/login": {"get": {"responses": {"200": {"description": "ok"}}}}})
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(document), **CHECK)
    assert [(f.id, f.parameter) for f in report.findings] == [
        ("authentication.credentials-in-query", "key")]


def test_server_that_reads_a_token_from_the_url_is_flagged(serve, run_scan):
    https = serve(query_token_api(), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.parameter) == (
        "authentication.query-credentials-read", "low", "access_token")


def test_server_that_ignores_query_credentials_is_silent(serve, run_scan, tmp_spec):
    https = serve(login_api("clean"), tls="modern")
    document = dict(BASE, paths={"/api/login": {"get": {
        "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok"}}}}})
    report = run_scan(https.url, spec=tmp_spec(document), **CHECK)
    assert report.findings == []
    assert report.checks[0].requests == 1 + 3
