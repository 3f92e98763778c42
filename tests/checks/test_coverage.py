"""Coverage: --exclude, the per-operation list, the risk plan and the new detectors' precision."""

from __future__ import annotations

import json

from apivigil.checks.data_exposure.patterns import scan
from apivigil.checks.planner import ranked
from apivigil.checks.target import Target, excluded, looks_like_action
from apivigil.core.config import Identity
from apivigil.spec.loader import build_spec
from tests.fixtures.apps.tutorial_api import SPEC, sign_up, tutorial_api
from tests.test_cli import assert_clean_error, run_cli

PASSIVE = ("data_exposure.sensitive-data", "input_validation.state-changing-get")


def _identities(url: str, authority) -> tuple[Identity, ...]:  # type: ignore[no-untyped-def]
    return tuple(Identity.parse(sign_up(url, name, str(authority.ca_path)))
                 for name in ("alice", "bob"))


def test_exclude_keeps_an_operation_out_and_lists_it(serve, run_scan, tmp_spec, authority):
    app = tutorial_api(fixed=False)
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=_identities(https.url, authority),
                      checks=PASSIVE, exclude=("GET /createdb", "* /env"))
    assert app.config["RESETS"] == []
    ops = {(o.method, o.path): o for o in report.operations}
    assert (ops["GET", "/createdb"].status, ops["GET", "/createdb"].reason) == (
        "excluded", "--exclude 'GET /createdb'")
    assert ops["GET", "/env"].status == "excluded" and ops["GET", "/env"].requests == 0
    assert not [f for f in report.findings if f.path in ("/env", "/createdb")]
    # What was excluded is said, never passed off as examined and clean.
    [state] = [c for c in report.checks if c.check == "input_validation.state-changing-get"]
    assert state.status.value == "skipped" and "no GET operation" in (state.reason or "")


def test_every_get_operation_is_observed_by_every_caller(serve, run_scan, tmp_spec, authority):
    https = serve(tutorial_api(fixed=True), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=_identities(https.url, authority),
                      checks=("data_exposure.sensitive-data",))
    ops = {(o.method, o.path): o for o in report.operations}
    for path in ("/health", "/catalogue", "/users", "/users/{username}", "/env", "/books",
                 "/books/{title}"):
        assert ops["GET", path].requests >= 3, path  # anonymous, alice, bob
        assert ops["GET", path].tried == ["data_exposure.sensitive-data"]
    assert ops["GET", "/createdb"].requests == 0  # held back: it acts
    assert ops["POST", "/books"].not_tried == [
        "everything: POST is sent only with --allow-unsafe-methods"]


def test_bad_exclude_pattern_is_a_usage_error():
    result = run_cli("scan", "https://127.0.0.1:1", "--exclude", "createdb please")
    assert_clean_error(result, 2, "--exclude must be 'METHOD PATH-GLOB'")


def test_exclude_patterns_match_templates_and_concrete_paths():
    target = Target.parse("https://api.test/").with_spec(build_spec(json.loads(json.dumps(SPEC)),
                                                                    "spec.json"))
    by_path = {(e.method, e.path): e for e in target.endpoints}
    assert excluded(by_path["GET", "/books/{title}"], ("GET /books/*",))
    assert excluded(by_path["GET", "/books/{title}"], ("get /books/{title}",))
    assert not excluded(by_path["POST", "/books"], ("GET /books*",))
    assert excluded(by_path["POST", "/books"], ("/books",))
    kept = target.without(("* /users*",))
    assert {e.path for e in kept.excluded} == {"/users", "/users/{username}"}


def test_gets_that_act_are_recognised_by_their_name():
    for path in ("/createdb", "/api/reset", "/admin/seed-data", "/v1/logout", "/cache/flush",
                 "/jobs/{id}/run"):
        assert looks_like_action(path), path
    for path in ("/users", "/settings", "/reports/{id}", "/status", "/books/{title}",
                 "/activity"):
        assert not looks_like_action(path), path


def test_the_plan_puts_object_keys_first_and_public_operations_last():
    target = Target.parse("https://api.test/").with_spec(build_spec(json.loads(json.dumps(SPEC)),
                                                                    "spec.json"))
    gets = [e for e in target.endpoints if e.method == "GET"]
    order = [e.path for e in ranked(gets)]
    assert order[:2] == ["/users/{username}", "/books/{title}"]
    assert order.index("/health") > order.index("/env")
    assert order.index("/catalogue") > order.index("/users")


def test_plaintext_passwords_are_told_from_hashes_masks_and_policies():
    body = json.dumps([
        {"username": "a", "password": "hunter2"},
        {"username": "b", "password": "$2b$12$" + "a" * 53},
        {"username": "c", "password": "********"},
        {"username": "d", "password_policy": "min 12 chars", "passwordLength": "12"},
        {"username": "e", "pwd": "[REDACTED]"},
    ])
    kinds = [(m.kind, m.where) for m in scan(body) if m.kind.startswith("password")]
    assert kinds == [("password-plaintext", "$[0].password"), ("password-hash", "$[1].password")]


def test_environment_dumps_json_and_text():
    found = {(m.kind, m.label) for m in scan(json.dumps({
        "DB_PASSWORD": "s3cret-pw", "JWT_SECRET_KEY": "k" * 20, "RSA_PUBLIC_KEY": "MIIB...",
        "SORT_KEY": "name", "DEBUG": "false", "HOME": "/root",
        "REDIS_URL": "redis://default:pa55word@cache:6379/0", "DOCS": "https://example.test/x",
    }))}
    assert found == {("env-secret", "DB_PASSWORD value"), ("env-secret", "JWT_SECRET_KEY value"),
                     ("env-secret", "URL with a password")}
    text = "PATH=/usr/bin\nexport API_TOKEN=abcd1234efgh\nSECRET_KEY='xyz12345'\nEMPTY_KEY=\n"
    assert {m.label for m in scan(text)} == {"API_TOKEN value", "SECRET_KEY value"}


def test_what_was_not_tried_is_said_per_operation(serve, run_scan, tmp_spec, authority):
    https = serve(tutorial_api(fixed=True), tls="modern")
    one = _identities(https.url, authority)[:1]
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=one,
                      checks=("bola.cross-identity", "input_validation.sql-differential"))
    ops = {(o.method, o.path): o for o in report.operations}
    assert ops["GET", "/books/{title}"].not_tried == [
        "object-level authorization (BOLA): needs two identities (--identity "
        "NAME=USER:PASSWORD, repeatable)"]
    assert "input_validation.sql-differential" in ops["GET", "/users/{username}"].tried
    assert ops["GET", "/health"].not_tried == [
        "injection and malformed-input probes: no path or query parameter to vary"]


def _volatile_api():  # type: ignore[no-untyped-def]
    import itertools

    from flask import Flask, jsonify

    app = Flask("volatile")
    ticks = itertools.count()
    app.config["RESETS"] = []

    @app.get("/clock")
    def clock():  # type: ignore[no-untyped-def]
        return jsonify(tick=next(ticks))  # a different answer every time

    @app.get("/reset")
    def reset():  # type: ignore[no-untyped-def]
        app.config["RESETS"].append(1)
        return jsonify(msg="reset")

    return app


VOLATILE_SPEC = {"openapi": "3.0.3", "info": {"title": "v", "version": "1"}, "paths": {
    "/clock": {"get": {"responses": {"200": {"description": "now"}}}},
    "/reset": {"get": {"responses": {"200": {"description": "reset"}}}}}}


def test_an_action_get_with_nothing_stable_to_compare_is_not_called_and_not_clean(
        serve, run_scan, tmp_spec):
    app = _volatile_api()
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(VOLATILE_SPEC),
                      checks=("input_validation.state-changing-get",
                              "input_validation.sql-differential", "data_exposure.sensitive-data"))
    assert app.config["RESETS"] == []
    assert report.findings == []
    notices = " | ".join(report.notices)
    assert "GET /reset not called" in notices and "not tested" in notices
    assert "input_validation.sql-differential: no GET operation with a path or query" in notices
