"""The data exposure fixes scanned fixed and vulnerable: explicit fields, no echoed
credentials, an administrators' user listing with hashed passwords, configuration kept on the
server, a CORS allow-list, no-store, generic errors.

The version banner has no fix example: the Server header with a version comes from the server
or the proxy in front of the app (Werkzeug's development server, nginx), not from Flask or
FastAPI code; its remediation says what to configure instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

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


class Answer(NamedTuple):
    """What a legitimate client gets from the fixed app (a fix that broke the route would
    look clean to the scan)."""

    status: int
    body: Any = None  # the whole JSON body, when given
    auth: tuple[str, str] | None = None
    headers: Mapping[str, str] = {}
    carries: Mapping[str, str] = {}  # response headers it must have
    path: str | None = None  # None: the scenario's


ANSWERS: dict[str, list[Answer]] = {
    "explicit-fields": [Answer(200, {"id": 1, "username": "carol", "name": "Carol",
                                     "card_last_four": "4444"}, CAROL_AUTH)],
    "no-credential-echo": [Answer(200, {"user": "carol"}, CAROL_AUTH)],
    "user-listing": [
        Answer(200, {"users": [{"id": 1, "username": "carol", "role": "admin"},
                               {"id": 2, "username": "dave", "role": "user"}]}, CAROL_AUTH),
        Answer(403, auth=DAVE_AUTH), Answer(401)],
    "public-config": [Answer(200, {"name": "inventory-api", "version": "1.4.0"})],
    "cors-allow-list": [Answer(200, {"items": [1, 2, 3]}, headers=FRONT_END, carries={
        "access-control-allow-origin": FRONT_END["Origin"],
        "access-control-allow-credentials": "true"})],
    "no-store": [Answer(200, {"user": "carol", "items": [1, 2, 3]}, CAROL_AUTH,
                        carries={"cache-control": "no-store"}),
                 Answer(401, carries={"cache-control": "no-store"})],
    "generic-errors": [Answer(500), Answer(404, path="/api/nothing-here")],
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_still_serves_its_clients(fix, framework, serve, serve_asgi, authority):
    app = build(example_of(fix, framework))
    url = serve_asgi(app) if framework is Framework.FASTAPI else serve(app, tls="modern").url
    with httpx.Client(base_url=url, verify=str(authority.ca_path), trust_env=False) as client:
        for answer in ANSWERS[fix]:
            response = client.get(answer.path or SCENARIOS[(fix, framework)].path,
                                  auth=answer.auth, headers=answer.headers)
            assert response.status_code == answer.status, response.text
            if answer.body is not None:
                assert response.json() == answer.body
            for name, value in answer.carries.items():
                assert response.headers.get(name) == value
            # failures say nothing the client did not need: no trace, nothing it sent
            if answer.status >= 400:
                assert set(response.json()) <= {"error", "detail"}, response.text
