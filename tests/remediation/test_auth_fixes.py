"""The authentication fixes (deny by default, bearer tokens, credentials out of URLs, generic
errors, no default accounts) scanned fixed and vulnerable."""

from __future__ import annotations

import httpx
import pytest

from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_auth
from tests.fixtures.apps.fix_twins import PASSWORD, USER
from tests.remediation.harness import CAROL, Scenario, example_of, namespace_of, scenario_ids

ENFORCEMENT_CHECKS = ("authentication.enforcement", "authentication.verbose-errors")
# the twin lets any Basic pair in and refuses without a challenge
ENFORCEMENT_RULES = frozenset({"authentication.accepts-invalid-credentials",
                               "authentication.missing-challenge"})
BEARER_CHECKS = ENFORCEMENT_CHECKS
BEARER_RULES = frozenset({"authentication.accepts-invalid-credentials"})
CREDENTIALS_IN_URL_CHECKS = ("authentication.credentials-in-url",)
# the twins read a random ?access_token= (and the FastAPI one declares it in its spec)
QUERY_READ = frozenset({"authentication.query-credentials-read"})
DEBUG_CHECKS = ("authentication.debug-console", "authentication.verbose-errors")
# a failed login of an unknown user crashes into a traceback page
INTERNALS = frozenset({"authentication.auth-error-internals"})
DEFAULT_CHECKS = ("authentication.default-credentials",)
DEFAULT_RULES = frozenset({"authentication.default-credentials"})  # admin:admin gets in

SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("auth-enforcement", Framework.FLASK): Scenario(
        ENFORCEMENT_CHECKS, ENFORCEMENT_RULES, fix_twins_auth.flask_any_credentials,
        credentials=CAROL, all_clean=True),
    ("auth-enforcement", Framework.FASTAPI): Scenario(
        ENFORCEMENT_CHECKS, ENFORCEMENT_RULES, fix_twins_auth.fastapi_any_credentials,
        credentials=CAROL, all_clean=True),
    ("bearer-enforcement", Framework.FLASK): Scenario(
        BEARER_CHECKS, BEARER_RULES, fix_twins_auth.flask_any_bearer, all_clean=True),
    ("bearer-enforcement", Framework.FASTAPI): Scenario(
        BEARER_CHECKS, BEARER_RULES, fix_twins_auth.fastapi_any_bearer, all_clean=True),
    ("credentials-in-headers", Framework.FLASK): Scenario(
        CREDENTIALS_IN_URL_CHECKS, QUERY_READ, fix_twins_auth.flask_query_token,
        all_clean=True),
    ("credentials-in-headers", Framework.FASTAPI): Scenario(
        CREDENTIALS_IN_URL_CHECKS, QUERY_READ | {"authentication.credentials-in-query"},
        fix_twins_auth.fastapi_query_token, all_clean=True),
    ("debug-off", Framework.FLASK): Scenario(
        DEBUG_CHECKS, INTERNALS | {"authentication.werkzeug-console"},
        fix_twins_auth.flask_debug_mode, credentials=CAROL, all_clean=True),
    ("debug-off", Framework.FASTAPI): Scenario(
        DEBUG_CHECKS, INTERNALS, fix_twins_auth.fastapi_debug_mode, credentials=CAROL,
        all_clean=True),
    ("no-default-accounts", Framework.FLASK): Scenario(
        DEFAULT_CHECKS, DEFAULT_RULES, fix_twins_auth.flask_default_admin, all_clean=True),
    ("no-default-accounts", Framework.FASTAPI): Scenario(
        DEFAULT_CHECKS, DEFAULT_RULES, fix_twins_auth.fastapi_default_admin, all_clean=True),
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    verify_fix(SCENARIOS, fix, framework)


@pytest.mark.parametrize("framework", [Framework.FLASK, Framework.FASTAPI])
def test_debug_off_answers_a_failing_user_store_with_a_generic_500(framework, serve, serve_asgi,
                                                                    authority):
    """What the scan cannot provoke in the debug-off example: its user store failing (a
    database that is down) mid-login reaches the client as a bare 500, no traceback."""
    namespace = namespace_of(example_of("debug-off", framework))

    def database_down(username: str) -> bytes:
        raise ConnectionError("users database at 10.0.0.7:5432 refused the connection")

    namespace["stored_hash"] = database_down  # the example's own user-store function
    app = namespace["app"]
    url = serve_asgi(app) if framework is Framework.FASTAPI else serve(app, tls="modern").url
    with httpx.Client(verify=str(authority.ca_path)) as client:
        answer = client.get(url + "/api/data", auth=(USER, PASSWORD))
    assert answer.status_code == 500
    assert "internal error" in answer.text
    assert "10.0.0.7" not in answer.text and "Traceback" not in answer.text
