"""The input-validation fixes (bound SQL, template variables, POST for state changes, JSON-only
bodies, validated input, safe method override) scanned fixed and vulnerable."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_input as twins
from tests.remediation.harness import (
    Scenario,
    build,
    example_of,
    namespace_of,
    scenario_ids,
)

# both rules of the same mistake: the quote breaks the query (differential) and the driver's
# error text comes back (signature); the fixed app must show neither, nor any other injection
SQL = Scenario(("input_validation.injection", "input_validation.sql-differential"),
               frozenset({"input_validation.sql-injection",
                          "input_validation.sql-injection-differential"}),
               twins.flask_sql, path="/api/users?name=alice", all_clean=True)
TEMPLATE = Scenario(("input_validation.injection",),
                    frozenset({"input_validation.template-injection"}),
                    twins.flask_template, path="/api/hello?name=bob", all_clean=True)
# the user scans with the spec that lists the acting GET: on the fixed app it answers 405
RESET = Scenario(("input_validation.state-changing-get",),
                 frozenset({"input_validation.state-changing-get"}),
                 twins.flask_reset, spec=twins.SPEC_RESET, scan_path="/", all_clean=True)
# intrusive: it POSTs the body as JSON, form-encoded and as XML
CONTENT_TYPE = Scenario(("input_validation.content-type",),
                        frozenset({"input_validation.content-type-confusion"}),
                        twins.flask_lenient_body, spec=twins.SPEC_CREATE, scan_path="/",
                        options={"allow_unsafe_methods": True}, all_clean=True)
MALFORMED = Scenario(("input_validation.malformed-input",),
                     frozenset({"input_validation.unhandled-error"}),
                     twins.flask_unvalidated, spec=twins.SPEC_ITEMS, scan_path="/",
                     all_clean=True)
OVERRIDE = Scenario(("input_validation.http-methods",),
                    frozenset({"input_validation.method-override"}),
                    twins.flask_override, path="/api/items", all_clean=True)


def _fastapi(scenario: Scenario, twin: object, **changes: object) -> Scenario:
    """The same scenario against the FastAPI twin and example: scanned from /, with the
    scenario's spec when it has one, else with the app's own /openapi.json."""
    return replace(scenario, twin=twin, **changes)


SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("sql-parameters", Framework.FLASK): SQL,
    ("sql-parameters", Framework.FASTAPI): _fastapi(SQL, twins.fastapi_sql),
    ("template-variables", Framework.FLASK): TEMPLATE,
    ("template-variables", Framework.FASTAPI): _fastapi(TEMPLATE, twins.fastapi_template),
    ("state-changing-post", Framework.FLASK): RESET,
    ("state-changing-post", Framework.FASTAPI): _fastapi(RESET, twins.fastapi_reset),
    ("json-content-type", Framework.FLASK): CONTENT_TYPE,
    ("json-content-type", Framework.FASTAPI): _fastapi(CONTENT_TYPE,
                                                       twins.fastapi_lenient_body),
    ("validated-input", Framework.FLASK): MALFORMED,
    # FastAPI's own spec declares limit an integer from 1 to 100
    ("validated-input", Framework.FASTAPI): _fastapi(MALFORMED, twins.fastapi_unvalidated,
                                                     spec=None, scan_path=None),
    ("method-override", Framework.FLASK): OVERRIDE,
    ("method-override", Framework.FASTAPI): _fastapi(OVERRIDE, twins.fastapi_override),
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    verify_fix(SCENARIOS, fix, framework)


# A fix that refused everything would pass the scans above: these show each still does its job.

@pytest.fixture
def client(serve, serve_asgi, authority):
    """client(framework, app) -> an httpx client for the app served on loopback over TLS."""
    opened: list[httpx.Client] = []

    def start(framework: Framework, app: object) -> httpx.Client:
        url = serve_asgi(app) if framework is Framework.FASTAPI \
            else serve(app, tls="modern").url
        opened.append(httpx.Client(base_url=url, verify=str(authority.ca_path)))
        return opened[-1]

    yield start
    for each in opened:
        each.close()


FRAMEWORKS = pytest.mark.parametrize("framework", [Framework.FLASK, Framework.FASTAPI],
                                     ids=["flask", "fastapi"])


@FRAMEWORKS
def test_the_reset_is_a_post_an_admin_can_still_make(framework, client):
    namespace = namespace_of(example_of("state-changing-post", framework))
    api = client(framework, namespace["app"])
    namespace["items"].append({"id": 3, "name": "added"})
    admin = {"Authorization": f"Bearer {namespace['ADMIN_TOKEN']}"}
    assert api.get("/api/reset").status_code == 405
    assert api.post("/api/reset").status_code == 401
    assert api.post("/api/reset", headers={"Authorization": "Bearer guess"}).status_code == 401
    # a malformed Basic header (Werkzeug raises on non-ASCII) is a refusal, not a 500
    assert api.post("/api/reset", headers={"Authorization": b"Basic \xc3\xa9"}).status_code == 401
    assert len(api.get("/api/items").json()["items"]) == 3
    assert api.post("/api/reset", headers=admin).status_code == 204
    assert api.get("/api/items").json()["items"] == namespace["SAMPLE"]


@FRAMEWORKS
def test_a_post_may_still_become_a_delete_and_nothing_else(framework, client):
    app = build(example_of("method-override", framework))
    app.delete("/api/items")(lambda: {"deleted": True})  # what a legacy client needs
    api = client(framework, app)
    override = "X-HTTP-Method-Override"
    assert api.post("/api/items", headers={override: "delete"}).json() == {"deleted": True}
    assert api.get("/api/items", headers={override: "DELETE"}).json() == {"items": [1, 2, 3]}
    assert api.post("/api/items", headers={override: "PROPFIND"}).status_code == 405
    assert api.post("/api/items?_method=DELETE").status_code == 405


@FRAMEWORKS
def test_valid_input_is_served_and_errors_say_nothing_inside(framework, client):
    app = build(example_of("validated-input", framework))
    app.get("/api/boom")(lambda: 1 / 0)  # a bug the validation did not catch
    api = client(framework, app)
    page = api.get("/api/items", params={"limit": 2, "offset": 5}).json()["items"]
    assert [item["id"] for item in page] == [6, 7]
    for limit in ("abc", "0", "101", "1.5", "9" * 30):
        refused = api.get("/api/items", params={"limit": limit})
        assert refused.status_code == 400, limit
        assert "limit" in refused.text
    crashed = api.get("/api/boom")
    assert (crashed.status_code, crashed.json()) == (500, {"error": "internal error"})
    missing = api.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    assert api.post("/api/items").status_code == 405  # not turned into a 500 either


@FRAMEWORKS
def test_json_bodies_are_still_accepted(framework, client):
    api = client(framework, build(example_of("json-content-type", framework)))
    created = api.post("/api/items", json={"name": " kettle "})
    assert (created.status_code, created.json()) == (201, {"id": 1, "name": "kettle"})
    assert api.post("/api/items", content=b'{"name": "x"}', headers={
        "Content-Type": "application/json; charset=utf-8"}).status_code == 201
    assert api.post("/api/items", data={"name": "kettle"}).status_code == 415
    for body in (b"{broken", b'["kettle"]', b'{"name": " "}', b'{"name": 5}'):
        refused = api.post("/api/items", content=body,
                           headers={"Content-Type": "application/json"})
        assert refused.status_code in (400, 422), body  # FastAPI's own answer is 422


@FRAMEWORKS
def test_queries_still_find_rows_and_quotes_are_data(framework, client):
    api = client(framework, build(example_of("sql-parameters", framework)))
    assert api.get("/api/users", params={"name": "alice"}).json() == {
        "users": [{"id": 1, "name": "alice"}]}
    assert api.get("/api/users", params={"name": "x' OR '1'='1"}).json() == {"users": []}
    assert api.get("/api/users", params={"order": "name; DROP TABLE users"}).status_code in (
        400, 422)
    assert api.get("/api/users", params={"name": "bob", "order": "name"}).json() == {
        "users": [{"id": 2, "name": "bob"}]}


@FRAMEWORKS
def test_the_name_is_rendered_as_escaped_text(framework, client):
    api = client(framework, build(example_of("template-variables", framework)))
    shown = api.get("/api/hello", params={"name": "{{7*7}}<b>"})
    assert shown.text == "<p>Hello {{7*7}}&lt;b&gt;</p>"
