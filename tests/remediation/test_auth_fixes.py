"""The authentication fixes (deny by default, bearer tokens, credentials out of URLs, generic
errors, no default accounts) scanned fixed and vulnerable."""

from __future__ import annotations

import pytest

from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_auth
from tests.remediation.harness import CAROL, Scenario, scenario_ids

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
