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
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    verify_fix(SCENARIOS, fix, framework)
