"""The data exposure fixes scanned fixed and vulnerable: explicit fields, no echoed
credentials, an administrators' user listing with hashed passwords, configuration kept on the
server, a CORS allow-list, no-store, generic errors.

The version banner has no fix example: the Server header with a version comes from the server
or the proxy in front of the app (Werkzeug's development server, nginx), not from Flask or
FastAPI code; its remediation says what to configure instead.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins, fix_twins_data
from tests.fixtures.apps.data_exposure import echo_api
from tests.remediation.harness import CAROL, Scenario, build, example_of, scenario_ids

SENSITIVE = ("data_exposure.sensitive-data",)
# password-hash, secret-key and personal-data share the explicit-fields fix
RECORD_RULES = frozenset({"data_exposure.password-hash", "data_exposure.api-key",
                          "data_exposure.card-number", "data_exposure.national-id"})
ECHO_RULES = frozenset({"data_exposure.credentials-echoed"})
LISTING_RULES = frozenset({"data_exposure.password-plaintext",
                           "data_exposure.users-listed-anonymously"})
CONFIG_RULES = frozenset({"data_exposure.environment-secret"})
CORS = ("data_exposure.cors",)
CORS_RULES = frozenset({"data_exposure.cors-origin-reflected"})
CACHE = ("data_exposure.cache-control",)
CACHE_RULES = frozenset({"data_exposure.cacheable-authenticated"})
ERRORS = ("data_exposure.error-disclosure",)


def _both(fix: str, **per_framework: Scenario) -> dict[tuple[str, Framework], Scenario]:
    return {(fix, Framework(name)): scenario for name, scenario in per_framework.items()}


SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    **_both("explicit-fields",
            flask=Scenario(SENSITIVE, RECORD_RULES, fix_twins_data.flask_whole_record,
                           path="/api/me", credentials=CAROL, all_clean=True),
            fastapi=Scenario(SENSITIVE, RECORD_RULES, fix_twins_data.fastapi_whole_record,
                             path="/api/me", credentials=CAROL, all_clean=True)),
    **_both("no-credential-echo",
            flask=Scenario(SENSITIVE, ECHO_RULES, lambda: echo_api(echo=True), path="/api/me",
                           credentials=CAROL, all_clean=True),
            fastapi=Scenario(SENSITIVE, ECHO_RULES, fix_twins_data.fastapi_echo,
                             path="/api/me", credentials=CAROL, all_clean=True)),
    **_both("user-listing",
            flask=Scenario(SENSITIVE, LISTING_RULES, fix_twins_data.flask_users_in_clear,
                           path="/api/users", credentials=CAROL, all_clean=True),
            fastapi=Scenario(SENSITIVE, LISTING_RULES, fix_twins_data.fastapi_users_in_clear,
                             path="/api/users", credentials=CAROL, all_clean=True)),
    **_both("public-config",
            flask=Scenario(SENSITIVE, CONFIG_RULES, fix_twins_data.flask_config_dump,
                           path="/api/info", all_clean=True),
            fastapi=Scenario(SENSITIVE, CONFIG_RULES, fix_twins_data.fastapi_config_dump,
                             path="/api/info", all_clean=True)),
    **_both("cors-allow-list",
            flask=Scenario(CORS, CORS_RULES, fix_twins_data.flask_cors_any_origin,
                           all_clean=True),
            fastapi=Scenario(CORS, CORS_RULES, fix_twins_data.fastapi_cors_any_origin,
                             all_clean=True)),
    **_both("no-store",
            flask=Scenario(CACHE, CACHE_RULES, fix_twins.flask_basic_auth, credentials=CAROL,
                           all_clean=True),
            fastapi=Scenario(CACHE, CACHE_RULES, fix_twins.fastapi_basic_auth,
                             credentials=CAROL, all_clean=True)),
    **_both("generic-errors",
            # Werkzeug's debugger page (it holds the traceback), FastAPI's plain traceback
            flask=Scenario(ERRORS, frozenset({"data_exposure.debug-page"}),
                           fix_twins_data.flask_debugger, path="/api/items", all_clean=True),
            fastapi=Scenario(ERRORS, frozenset({"data_exposure.stack-trace"}),
                             fix_twins_data.fastapi_debug, path="/api/items", all_clean=True)),
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    verify_fix(SCENARIOS, fix, framework)


CAROL_AUTH = (CAROL.username, CAROL.password)
DAVE_AUTH = ("dave", "staple-battery-horse")  # the user-listing example's non-admin
FRONT_END = {"Origin": "https://app.example.com"}
# fix -> (auth, request headers, status, JSON body, response headers it must carry): what a
# legitimate client still gets from the fixed app (a fix that broke the route would be "clean")
ANSWERS: dict[str, list[tuple[Any, dict[str, str], int, Any, dict[str, str]]]] = {
    "explicit-fields": [(CAROL_AUTH, {}, 200, {"id": 1, "username": "carol", "name": "Carol",
                                               "card_last_four": "4444"}, {})],
    "no-credential-echo": [(CAROL_AUTH, {}, 200, {"user": "carol"}, {})],
    "user-listing": [
        (CAROL_AUTH, {}, 200, {"users": [{"id": 1, "username": "carol", "role": "admin"},
                                         {"id": 2, "username": "dave", "role": "user"}]}, {}),
        (DAVE_AUTH, {}, 403, None, {}), (None, {}, 401, None, {})],
    "public-config": [(None, {}, 200, {"name": "inventory-api", "version": "1.4.0"}, {})],
    "cors-allow-list": [(None, FRONT_END, 200, {"items": [1, 2, 3]}, {
        "access-control-allow-origin": FRONT_END["Origin"],
        "access-control-allow-credentials": "true"})],
    "no-store": [(CAROL_AUTH, {}, 200, {"user": "carol", "items": [1, 2, 3]},
                  {"cache-control": "no-store"}),
                 (None, {}, 401, None, {"cache-control": "no-store"})],
    "generic-errors": [(None, {}, 500, None, {})],
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_still_serves_its_clients(fix, framework, serve, serve_asgi, authority):
    app = build(example_of(fix, framework))
    url = serve_asgi(app) if framework is Framework.FASTAPI else serve(app, tls="modern").url
    with httpx.Client(base_url=url, verify=str(authority.ca_path), trust_env=False) as client:
        for auth, headers, status, body, expected_headers in ANSWERS[fix]:
            response = client.get(SCENARIOS[(fix, framework)].path, auth=auth, headers=headers)
            assert response.status_code == status, response.text
            if body is not None:
                assert response.json() == body
            for name, value in expected_headers.items():
                assert response.headers.get(name) == value
            # failures say nothing the client did not need: no trace, no stored secret
            if status >= 400:
                assert set(response.json()) <= {"error", "detail"}, response.text
