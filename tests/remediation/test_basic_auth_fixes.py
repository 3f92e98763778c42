"""The Basic-auth fixes (credential check, HTTPS, throttling) scanned fixed and vulnerable."""

from __future__ import annotations

import pytest

from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins
from tests.remediation.harness import (
    CAROL,
    Scenario,
    fastapi_https_port,
    flask_https_port,
    scenario_ids,
)

BASIC_AUTH_CHECKS = ("authentication.broken-credential-check",
                     "authentication.malformed-authorization", "authentication.user-enumeration",
                     "authentication.verbose-errors")
BASIC_AUTH_RULES = frozenset({
    "authentication.ignores-username", "authentication.malformed-header-error",
    "authentication.user-enumeration", "authentication.verbose-auth-error",
    "authentication.username-echoed"})

THROTTLING_CHECKS = ("rate_limiting.login-throttling", "rate_limiting.bypass")
THROTTLING_RULES = frozenset({"rate_limiting.no-login-throttling"})
# keyed on the connection's address: a forged X-Forwarded-For or a path variant starts no
# new count (the twin has no limit to bypass)
BYPASS_RULES = frozenset({"rate_limiting.address-header-bypass",
                          "rate_limiting.path-variant-bypass"})
HTTPS_CHECKS = ("encryption.cleartext", "encryption.https-enforcement", "encryption.hsts")
# the twin serves the API over http:// too, without HSTS; the fixed app must not get any
# finding of these checks (a wrong redirect would be https-enforcement's)
HTTPS_RULES = frozenset({"encryption.https-not-enforced", "encryption.hsts-missing"})

SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("basic-auth", Framework.FLASK): Scenario(
        BASIC_AUTH_CHECKS, BASIC_AUTH_RULES,
        fix_twins.flask_basic_auth, credentials=CAROL),
    ("basic-auth", Framework.FASTAPI): Scenario(
        BASIC_AUTH_CHECKS, BASIC_AUTH_RULES,
        fix_twins.fastapi_basic_auth, credentials=CAROL),
    ("login-throttling", Framework.FLASK): Scenario(
        THROTTLING_CHECKS, THROTTLING_RULES, fix_twins.flask_basic_auth, credentials=CAROL,
        also_clean=BYPASS_RULES),
    ("login-throttling", Framework.FASTAPI): Scenario(
        THROTTLING_CHECKS, THROTTLING_RULES, fix_twins.fastapi_basic_auth, credentials=CAROL,
        also_clean=BYPASS_RULES, uvicorn=(("proxy_headers", False),)),
    ("https-only", Framework.FLASK): Scenario(
        HTTPS_CHECKS, HTTPS_RULES, fix_twins.flask_plain, https_port=flask_https_port),
    ("https-only", Framework.FASTAPI): Scenario(
        HTTPS_CHECKS, HTTPS_RULES, fix_twins.fastapi_plain, https_port=fastapi_https_port),
    # Django and Express examples run in a process of their own (harness.verify); their twins
    # are the Flask ones, the same API with the same flaws
    ("basic-auth", Framework.DJANGO): Scenario(
        BASIC_AUTH_CHECKS, BASIC_AUTH_RULES, fix_twins.flask_basic_auth, credentials=CAROL),
    ("https-only", Framework.DJANGO): Scenario(
        HTTPS_CHECKS, HTTPS_RULES, fix_twins.flask_plain, https_port=flask_https_port,
        redirect_status=301),
    ("login-throttling", Framework.DJANGO): Scenario(
        THROTTLING_CHECKS, THROTTLING_RULES, fix_twins.flask_basic_auth, credentials=CAROL,
        also_clean=BYPASS_RULES),
    ("basic-auth", Framework.EXPRESS): Scenario(
        BASIC_AUTH_CHECKS, BASIC_AUTH_RULES, fix_twins.flask_basic_auth, credentials=CAROL),
    ("login-throttling", Framework.EXPRESS): Scenario(
        THROTTLING_CHECKS, THROTTLING_RULES, fix_twins.flask_basic_auth, credentials=CAROL,
        also_clean=BYPASS_RULES),
    ("https-only", Framework.EXPRESS): Scenario(
        HTTPS_CHECKS, HTTPS_RULES, fix_twins.flask_plain, https_port=flask_https_port),
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    verify_fix(SCENARIOS, fix, framework)
