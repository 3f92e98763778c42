"""The input-validation fixes (bound SQL, template variables, POST for state changes, JSON-only
bodies, validated input, safe method override) scanned fixed and vulnerable."""

from __future__ import annotations

from dataclasses import replace

import pytest

from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_input as twins
from tests.remediation.harness import Scenario, scenario_ids

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
    """The same scenario against the FastAPI twin (scanned from /, its /openapi.json found)."""
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
