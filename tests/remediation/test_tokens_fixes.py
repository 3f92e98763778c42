"""The token and cookie fixes (JWT verification, session cookie flags) scanned fixed and
vulnerable. The scans log in the way the apps take it (a JSON POST, or the OAuth2 password flow
a FastAPI app declares), as a user would with --login."""

from __future__ import annotations

import secrets

import pytest

from apivigil.core.config import LoginOptions
from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_tokens
from tests.remediation.harness import CAROL, Scenario, scenario_ids

JWT_CHECKS = ("jwt.analysis", "jwt.weak-secret", "jwt.forgery")
# the Flask twin: a common key, no exp or iat, the signature never verified
FLASK_JWT_RULES = frozenset({
    "authentication.jwt-weak-secret", "authentication.jwt-no-expiry",
    "authentication.jwt-no-issued-at", "authentication.jwt-signature-not-verified"})
# the FastAPI twin: a common key, 30-day tokens, exp not verified
FASTAPI_JWT_RULES = frozenset({
    "authentication.jwt-weak-secret", "authentication.jwt-long-lived",
    "authentication.jwt-expired-accepted"})
JSON_LOGIN = {"login": LoginOptions(path="/api/login")}
COOKIE_CHECKS = ("encryption.cookies",)

SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("jwt-verification", Framework.FLASK): Scenario(
        JWT_CHECKS, FLASK_JWT_RULES, fix_twins_tokens.flask_jwt, credentials=CAROL,
        options=JSON_LOGIN, all_clean=True),
    # FastAPI: the scan logs in with the OAuth2 password flow its /openapi.json declares
    ("jwt-verification", Framework.FASTAPI): Scenario(
        JWT_CHECKS, FASTAPI_JWT_RULES, fix_twins_tokens.fastapi_jwt, credentials=CAROL,
        all_clean=True),
    # the session cookie is set on every authenticated answer (renewed on use)
    ("session-cookies", Framework.FLASK): Scenario(
        COOKIE_CHECKS, frozenset({"encryption.cookie-no-secure", "encryption.cookie-no-samesite"}),
        fix_twins_tokens.flask_session, credentials=CAROL, options=JSON_LOGIN, all_clean=True),
    ("session-cookies", Framework.FASTAPI): Scenario(
        COOKIE_CHECKS, frozenset({"encryption.cookie-no-secure"}),
        fix_twins_tokens.fastapi_session, credentials=CAROL, options=JSON_LOGIN,
        all_clean=True),
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix, monkeypatch):
    # the examples read their keys from the environment, as they tell users to
    monkeypatch.setenv("JWT_SECRET", secrets.token_urlsafe(32))
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    verify_fix(SCENARIOS, fix, framework)
