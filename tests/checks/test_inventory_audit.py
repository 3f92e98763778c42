"""inventory.spec-audit: weak declarations found by reading the spec, with no traffic."""

from __future__ import annotations

import copy

from apivigil.checks.inventory.spec_audit import SpecAudit
from apivigil.spec.loader import build_spec
from tests.fixtures.apps.basic import protected_api

OK = {"description": "ok"}
REFUSED = {"401": {"description": "no credentials"}, "403": {"description": "not allowed"}}

CLEAN = {
    "openapi": "3.0.3",
    "info": {"title": "clean", "version": "1"},
    "servers": [{"url": "https://api.example.com"}],
    "security": [{"basic": []}],
    "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
    "paths": {
        "/search": {"get": {
            "parameters": [{"name": "q", "in": "query",
                            "schema": {"type": "string", "maxLength": 50}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "properties": {
                    "name": {"type": "string"}, "token_type": {"type": "string"}}}}}},
                **REFUSED}}},
        "/users": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False,
                "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}}}}}},
            "responses": {"201": OK, **REFUSED}}},
    },
}


def weak_spec():
    spec = copy.deepcopy(CLEAN)
    del spec["security"]
    spec["components"]["securitySchemes"].update(
        qkey={"type": "apiKey", "in": "query", "name": "api_key"},
        oauth={"type": "oauth2", "flows": {}})
    paths = spec["paths"]
    paths["/search"]["get"]["security"] = [{"qkey": []}]
    paths["/search"]["get"]["parameters"] = [
        {"name": "q", "in": "query", "schema": {"type": "string"}},
        {"name": "password", "in": "query", "schema": {"type": "string"}}]
    paths["/users"]["post"]["security"] = [{"basic": []}]
    paths["/users"]["post"]["responses"] = {"201": OK}
    del paths["/users"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "additionalProperties"]
    paths["/forgotten"] = {"get": {"responses": {"200": OK}}}
    paths["/health"] = {"get": {"security": [], "responses": {"200": OK}}}
    paths["/ghost"] = {"get": {"security": [{"ghost": []}], "responses": {"200": OK, **REFUSED}}}
    paths["/me"] = {"get": {"security": [{"basic": []}], "responses": {**REFUSED, "200": {
        "description": "me", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"password_hash": {"type": "string"}}}}}}}}}
    return spec


def audit(document):
    return list(SpecAudit().audit(build_spec(document, "spec.json")))


def test_each_weak_declaration_is_one_finding():
    found = {(f.id, f.severity.value, f.method, f.path, f.parameter)
             for f in audit(weak_spec())}
    assert found == {
        ("inventory.credential-in-url", "medium", None, None, "qkey"),
        ("inventory.credential-in-url", "medium", "GET", "/search", "password"),
        ("inventory.unused-security-scheme", "info", None, None, "oauth"),
        ("inventory.undefined-security-scheme", "medium", None, None, "ghost"),
        ("inventory.operation-without-security", "medium", "GET", "/forgotten", None),
        ("inventory.operation-without-security", "info", "GET", "/health", None),
        ("inventory.missing-auth-responses", "low", "POST", "/users", None),
        ("inventory.unbounded-string", "info", "GET", "/search", None),
        ("inventory.open-request-body", "low", "POST", "/users", None),
        ("inventory.sensitive-response-property", "medium", "GET", "/me", None),
    }
    for finding in audit(weak_spec()):
        assert finding.cwe and finding.owasp
        assert finding.evidence.request is None  # no traffic was needed


def test_unbounded_inputs_are_listed():
    [finding] = [f for f in audit(weak_spec()) if f.id == "inventory.unbounded-string"]
    assert finding.evidence.data["inputs"] == ["query:q", "query:password"]


def test_well_declared_spec_has_no_finding():
    assert audit(CLEAN) == []


def test_audit_findings_appear_in_a_scan(serve, run_scan, tmp_spec):
    https = serve(protected_api(), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(weak_spec()), checks=("inventory.spec-audit",))
    assert "inventory.undefined-security-scheme" in {f.id for f in report.findings}
    assert report.checks[0].requests == 0
    clean = run_scan(https.url, spec=tmp_spec(CLEAN), checks=("inventory.spec-audit",))
    assert clean.findings == []
