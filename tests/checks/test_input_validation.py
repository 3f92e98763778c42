"""input_validation.*: malformed input, injection signatures, methods, content types."""

from __future__ import annotations

import pytest

from tests.fixtures.apps.input_validation import (
    SPEC_CREATE,
    SPEC_ITEMS,
    bcrypt_login_api,
    create_api,
    greeting_api,
    items_api,
    methods_api,
    mongo_like_api,
    search_api,
)
from tests.support import above_low, assert_completed

MALFORMED = {"checks": ("input_validation.malformed-input",)}
INJECTION = {"checks": ("input_validation.injection",)}


def summary(report):
    return {(f.id, f.severity.value, f.parameter) for f in report.findings}


def test_declared_integer_that_crashes_is_flagged(serve, run_scan, tmp_spec):
    https = serve(items_api("fragile"), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC_ITEMS), **MALFORMED)
    assert summary(report) == {("input_validation.unhandled-error", "low", "query limit")}
    [finding] = report.findings
    assert finding.evidence.data["status"] == 500
    assert finding.evidence.data["baseline_status"] == 200


def test_declared_integer_validated_is_silent(serve, run_scan, tmp_spec):
    https = serve(items_api("strict"), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC_ITEMS), **MALFORMED)
    assert report.findings == []
    assert report.checks[0].requests >= 4  # it did probe: baseline plus malformed values


def test_invalid_input_the_spec_forbids_accepted_is_low(serve, run_scan, tmp_spec):
    https = serve(items_api("lax"), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC_ITEMS), **MALFORMED)
    assert summary(report) == {("input_validation.invalid-input-accepted", "low",
                                "query limit")}
    assert_completed(report)
    assert above_low(report) == []


def test_sql_error_on_a_quote_is_flagged_and_confirmed(serve, run_scan):
    https = serve(search_api(injectable=True), tls="modern")
    report = run_scan(https.url + "/api/users?name=alice", **INJECTION)
    assert summary(report) == {("input_validation.sql-injection", "high", "query name")}
    [finding] = report.findings
    assert finding.evidence.data["payload"] == "'"
    assert finding.cwe == (89,)


def test_bound_sql_parameters_are_silent(serve, run_scan):
    https = serve(search_api(injectable=False), tls="modern")
    report = run_scan(https.url + "/api/users?name=alice", **INJECTION)
    assert report.findings == []
    assert report.checks[0].requests >= 5  # every payload family was tried


def test_template_evaluation_is_flagged(serve, run_scan):
    https = serve(greeting_api(injectable=True), tls="modern")
    report = run_scan(https.url + "/api/hello?name=bob", **INJECTION)
    assert ("input_validation.template-injection", "high", "query name") in summary(report)


def test_template_variable_is_silent(serve, run_scan):
    https = serve(greeting_api(injectable=False), tls="modern")
    report = run_scan(https.url + "/api/hello?name=bob", **INJECTION)
    assert_completed(report)
    assert report.findings == []


def test_query_operator_error_is_flagged(serve, run_scan):
    https = serve(mongo_like_api(injectable=True), tls="modern")
    report = run_scan(https.url + "/api/find?name=alice", **INJECTION)
    assert summary(report) == {("input_validation.nosql-injection", "high", "query name")}


def test_scalar_only_query_is_silent(serve, run_scan):
    https = serve(mongo_like_api(injectable=False), tls="modern")
    report = run_scan(https.url + "/api/find?name=alice", **INJECTION)
    assert_completed(report)
    assert report.findings == []


@pytest.mark.parametrize(
    ("trace", "override", "expected"),
    [
        (True, False, {("input_validation.trace-enabled", "medium", None)}),
        (False, True, {("input_validation.method-override", "medium",
                        "X-HTTP-Method-Override")}),
        (False, False, set()),
    ],
)
def test_dangerous_methods(serve, run_scan, trace, override, expected):
    https = serve(methods_api(trace=trace, override=override), tls="modern")
    report = run_scan(https.url + "/api/items", checks=("input_validation.http-methods",))
    assert summary(report) == expected


def test_method_override_probe_sends_only_get_and_trace(serve, run_scan):
    https = serve(methods_api(override=True), tls="modern")
    report = run_scan(https.url + "/api/items", checks=("input_validation.http-methods",))
    finding = report.findings[0]
    assert (finding.evidence.request or "").startswith("GET /api/items")
    assert "PROPFIND" in (finding.evidence.request or "")


def test_json_api_accepting_form_bodies_is_flagged(serve, run_scan, tmp_spec):
    https = serve(create_api(lenient=True), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC_CREATE), allow_unsafe_methods=True,
                      checks=("input_validation.content-type",))
    assert summary(report) == {
        ("input_validation.content-type-confusion", "medium",
         "application/x-www-form-urlencoded"),
        ("input_validation.content-type-confusion", "low", "application/xml"),
    }


def test_json_api_refusing_other_types_is_silent(serve, run_scan, tmp_spec):
    https = serve(create_api(lenient=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC_CREATE), allow_unsafe_methods=True,
                      checks=("input_validation.content-type",))
    assert report.findings == []
    assert report.checks[0].requests == 3


def test_content_type_check_is_intrusive(serve, run_scan, tmp_spec):
    https = serve(create_api(lenient=True), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC_CREATE),
                      checks=("input_validation.content-type",))
    assert report.checks[0].status.value == "skipped"
    assert "--allow-unsafe-methods" in (report.checks[0].reason or "")


def test_oversized_password_crash_with_traceback_is_medium(serve, run_scan):
    https = serve(bcrypt_login_api(checks_length=False), tls="modern")
    report = run_scan(https.url + "/api/login", **MALFORMED)
    assert summary(report) == {("input_validation.unhandled-error", "medium",
                                "credential password")}
    assert report.findings[0].title.endswith("with a traceback")


def test_length_checked_password_is_silent(serve, run_scan):
    https = serve(bcrypt_login_api(checks_length=True), tls="modern")
    report = run_scan(https.url + "/api/login", **MALFORMED)
    assert_completed(report)
    assert report.findings == []


def test_injection_probes_are_read_only_gets(serve, run_scan):
    app = search_api(injectable=True)
    https = serve(app, tls="modern")
    run_scan(https.url + "/api/users?name=alice", **INJECTION)
    seen = app.config["SEEN"]
    assert seen and all(line.startswith("GET ") for line in seen)
    assert not any(word in line.upper() for line in seen
                   for word in ("DROP", "DELETE", "UPDATE", "INSERT", "%3B"))


def test_path_parameter_of_the_wrong_type_is_probed(serve, run_scan, tmp_spec):
    from flask import Flask, jsonify

    app = Flask("path-param")

    @app.get("/api/items/<item_id>")
    def item(item_id):
        return jsonify(id=int(item_id))  # the flaw: no int converter, no validation

    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        "/api/items/{item_id}": {"get": {
            "parameters": [{"name": "item_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}, "example": 7}],
            "responses": {"200": {"description": "ok"}}}}}}
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(spec), **MALFORMED)
    [finding] = report.findings
    assert (finding.id, finding.parameter, finding.path) == (
        "input_validation.unhandled-error", "path item_id", "/api/items/{item_id}")
    assert (finding.evidence.request or "").startswith("GET /api/items/apivigil ")


def test_content_type_check_without_an_accepted_json_body_is_inconclusive(serve, run_scan,
                                                                          tmp_spec):
    from flask import Flask, jsonify

    app = Flask("refuses-everything")
    app.post("/api/items")(lambda: (jsonify(error="login required"), 401))
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC_CREATE), allow_unsafe_methods=True,
                      checks=("input_validation.content-type",))
    assert report.findings == []
    assert report.checks[0].status.value == "inconclusive"
    assert "no operation accepted its own JSON body (POST /api/items)" in (
        report.checks[0].reason or "")
