"""Exercising every operation: values from the spec, safe methods by default, discovery."""

from __future__ import annotations

import json

from tests.fixtures.apps.spec_apps import recording_api

CONFORMANCE = ("inventory.spec-conformance",)

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things/{thingId}": {
            "parameters": [{"name": "thingId", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": ["a-1", "b-2"]}}],
            "get": {"responses": {"200": {"description": "ok"}}},
            "delete": {"responses": {"204": {"description": "gone"}}},
        },
        "/search": {"get": {
            "parameters": [
                {"name": "q", "in": "query", "required": True, "example": "shoes",
                 "schema": {"type": "string", "maxLength": 20}},
                {"name": "page", "in": "query", "schema": {"type": "integer"}},
                {"name": "X-Request-Id", "in": "header", "required": True,
                 "schema": {"type": "string", "format": "uuid"}},
            ],
            "responses": {"200": {"description": "ok"}}}},
        "/things": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object", "required": ["name", "size"],
                           "properties": {"name": {"type": "string", "example": "lamp"},
                                          "size": {"type": "integer", "minimum": 3},
                                          "note": {"type": "string"}}}}}},
            "responses": {"201": {"description": "created"}}}},
    },
}


def statuses(report):
    return {(o.method, o.path): (o.status, o.reason) for o in report.operations}


def test_safe_methods_only_by_default(serve, run_scan, tmp_spec):
    app = recording_api(SPEC)
    http = serve(app)
    report = run_scan(http.url, spec=tmp_spec(SPEC), checks=CONFORMANCE)
    assert [(m, p) for m, p, _ in app.config["received"]] == [
        ("GET", "/things/a-1"), ("GET", "/search?q=shoes")]
    listed = statuses(report)
    assert listed[("GET", "/things/{thingId}")] == ("exercised", None)
    assert listed[("POST", "/things")] == (
        "skipped", "POST is sent only with --allow-unsafe-methods")
    assert listed[("DELETE", "/things/{thingId}")][0] == "skipped"
    assert "--allow-delete" in listed[("DELETE", "/things/{thingId}")][1]


def test_unsafe_methods_send_a_schema_valid_body(serve, run_scan, tmp_spec):
    app = recording_api(SPEC)
    http = serve(app)
    report = run_scan(http.url, spec=tmp_spec(SPEC), checks=CONFORMANCE,
                      allow_unsafe_methods=True)
    posts = [body for method, _, body in app.config["received"] if method == "POST"]
    assert [json.loads(b) for b in posts] == [{"name": "lamp", "size": 3}]
    assert "DELETE" not in {m for m, _, _ in app.config["received"]}
    assert statuses(report)[("POST", "/things")] == ("exercised", None)


def test_delete_needs_its_own_flag(serve, run_scan, tmp_spec):
    app = recording_api(SPEC)
    http = serve(app)
    report = run_scan(http.url, spec=tmp_spec(SPEC), checks=CONFORMANCE,
                      allow_unsafe_methods=True, allow_delete=True)
    assert ("DELETE", "/things/a-1") in {(m, p) for m, p, _ in app.config["received"]}
    assert {s for s, _ in statuses(report).values()} == {"exercised"}


def test_spec_is_discovered_and_reported_as_public(serve, run_scan):
    app = recording_api(SPEC)
    http = serve(app)
    report = run_scan(http.url, checks=(*CONFORMANCE, "inventory.public-spec"))
    assert any("/openapi.json" in n and "4 operations" in n for n in report.notices)
    assert len(report.operations) == 4
    [public] = report.findings
    assert (public.id, public.severity.value) == ("inventory.public-spec", "info")
    assert public.url == http.url + "/openapi.json"


def test_spec_given_as_a_file_is_not_called_public(serve, run_scan, tmp_spec):
    http = serve(recording_api(SPEC))
    report = run_scan(http.url, spec=tmp_spec(SPEC), checks=("inventory.public-spec",))
    assert report.findings == []
    assert report.checks[0].status.value == "skipped"


def test_no_spec_anywhere_means_no_operations(serve, run_scan):
    from tests.fixtures.apps.basic import protected_api

    http = serve(protected_api())
    report = run_scan(http.url, checks=CONFORMANCE)
    assert report.operations == []
    assert report.requests <= 9  # preflight and at most 7 discovery requests


def test_big_spec_leaves_a_quarter_of_the_budget_to_other_checks(serve, run_scan, tmp_spec):
    spec = {"openapi": "3.0.3", "info": {"title": "big", "version": "1"},
            "paths": {f"/r{i}": {"get": {"responses": {"200": {"description": "ok"}}}}
                      for i in range(40)}}
    app = recording_api(spec)
    http = serve(app)
    report = run_scan(http.url, spec=tmp_spec(spec), checks=CONFORMANCE, max_requests=40)
    sent = len(app.config["received"])
    assert sent == 40 - 1 - 10  # budget minus preflight minus the reserved quarter
    assert sum(o.status == "exercised" for o in report.operations) == sent
    assert any("raise --max-requests" in n for n in report.notices)
    assert report.checks[0].status.value == "completed"


def test_discovery_can_be_turned_off(serve, run_scan):
    app = recording_api(SPEC)
    http = serve(app)
    report = run_scan(http.url, checks=CONFORMANCE, settings={"discover_spec": "false"})
    assert report.operations == [] and report.requests == 1  # the preflight only
