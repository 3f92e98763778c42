"""The inventory fixes (the spec generated from the code, output and input schemas, keys in
headers, authentication by default, https:// servers, no forgotten endpoints) scanned fixed
and vulnerable."""

from __future__ import annotations

import httpx
import pytest

from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_inventory as twins
from tests.remediation.harness import (
    Scenario,
    build,
    example_of,
    fastapi_https_port,
    flask_https_port,
    scenario_ids,
)

AUDIT = ("inventory.spec-audit",)
CONFORMANCE = ("inventory.spec-conformance",)
DRIFT_RULES = frozenset({"inventory.spec-path-missing", "inventory.undeclared-status",
                         "inventory.undeclared-content-type"})
OUTPUT_CHECKS = ("data_exposure.spec-undeclared-properties", "inventory.spec-audit")
OUTPUT_RULES = frozenset({"data_exposure.undeclared-sensitive-property",
                          "inventory.sensitive-response-property"})
INPUT_RULES = frozenset({"inventory.unbounded-string", "inventory.open-request-body"})
KEY_RULES = frozenset({"inventory.credential-in-url"})
DEFAULT_RULES = frozenset({"inventory.operation-without-security",
                           "inventory.missing-auth-responses"})
TRANSPORT = ("encryption.spec-transport",)
TRANSPORT_RULES = frozenset({"encryption.spec-credentials-over-http",
                             "encryption.spec-cleartext-served"})
UNDOCUMENTED = ("inventory.undocumented-endpoints",)
UNDOCUMENTED_RULES = frozenset({"inventory.undocumented-endpoint"})
PUBLIC_SPEC = ("inventory.public-spec",)
PUBLIC_SPEC_RULES = frozenset({"inventory.public-spec"})
# the API's key, as a user scans an internal API: the spec is fetched with it after a 401
WITH_THE_KEY = {"headers": (("X-API-Key", twins.API_KEY),)}


def both(fix: str, flask_twin, fastapi_twin, checks: tuple[str, ...], rules: frozenset[str],
         **settings) -> dict[tuple[str, Framework], Scenario]:
    """The fix's two scenarios: the same checks and rules, each framework with its twin.
    Every one is all_clean: the fixed app's spec and answers give these checks nothing."""
    return {(fix, Framework.FLASK): Scenario(checks, rules, flask_twin, all_clean=True,
                                             **settings),
            (fix, Framework.FASTAPI): Scenario(checks, rules, fastapi_twin, all_clean=True,
                                               **settings)}


SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    **both("spec-from-code", twins.flask_drift, twins.fastapi_drift, CONFORMANCE, DRIFT_RULES,
           path="/items"),
    **both("generated-output-schema", twins.flask_whole_rows, twins.fastapi_whole_rows,
           OUTPUT_CHECKS, OUTPUT_RULES, path="/users"),
    **both("strict-input-schema", twins.flask_loose_input, twins.fastapi_loose_input, AUDIT,
           INPUT_RULES, path="/items"),
    **both("api-key-header", twins.flask_key_in_query, twins.fastapi_key_in_query, AUDIT,
           KEY_RULES),
    **both("secure-by-default", twins.flask_forgotten_auth, twins.fastapi_forgotten_auth, AUDIT,
           DEFAULT_RULES),
    **both("retire-endpoints", twins.flask_forgotten_endpoints,
           twins.fastapi_forgotten_endpoints, UNDOCUMENTED, UNDOCUMENTED_RULES,
           path="/v2/users"),
    # the fixed app's spec refuses anonymous clients: the scan fetches it with the key, and
    # public-spec's anonymous GET is refused (completed, silent); the twin serves it to anyone
    **both("private-spec", twins.flask_public_spec, twins.fastapi_public_spec, PUBLIC_SPEC,
           PUBLIC_SPEC_RULES, options=WITH_THE_KEY),
    # the twin is served over http:// too; the fixed app redirects there (the public /health
    # is where a client following the redirect lands, with a 200)
    ("https-servers", Framework.FLASK): Scenario(
        TRANSPORT, TRANSPORT_RULES, twins.flask_http_server, path="/health",
        https_port=flask_https_port),
    ("https-servers", Framework.FASTAPI): Scenario(
        TRANSPORT, TRANSPORT_RULES, twins.fastapi_http_server, path="/health",
        https_port=fastapi_https_port),
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    verify_fix(SCENARIOS, fix, framework)


@pytest.mark.parametrize("framework", [Framework.FLASK, Framework.FASTAPI],
                         ids=lambda framework: framework.value)
def test_the_private_spec_needs_a_key(framework, serve, serve_asgi, authority):
    """What the private-spec scenarios rely on: the app refuses the spec (and its docs) to
    anonymous clients and to a wrong key, and serves it, listing the API, with the key."""
    app = build(example_of("private-spec", framework))
    if framework is Framework.FASTAPI:
        url = serve_asgi(app, tls=True)
    else:
        url = serve(app, tls="modern").url
    with httpx.Client(verify=str(authority.ca_path)) as client:
        anonymous = client.get(url + "/openapi.json")
        wrong = client.get(url + "/openapi.json", headers={"X-API-Key": "guess"})
        owner = client.get(url + "/openapi.json", headers={"X-API-Key": twins.API_KEY})
        docs = client.get(url + "/docs")
    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert owner.status_code == 200
    assert "/api/data" in owner.json()["paths"]
    assert docs.status_code == 404
