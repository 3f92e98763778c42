"""The authorization fixes (owner-scoped objects, the admin role, allowed fields, output
schemas) scanned fixed and vulnerable, with two identities as these checks need."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from apivigil.core.config import Identity
from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_authz
from tests.fixtures.apps.fix_twins_authz import ADMIN_SPEC, NOTES_SPEC, USERS
from tests.remediation.harness import Prepare, Scenario, build, example_of, scenario_ids


def identity(name: str) -> Identity:
    """--identity NAME:role=ROLE=NAME:PASSWORD for a user the examples define."""
    password, role, _ = USERS[name]
    return Identity.parse(f"{name}:role={role}={name}:{password}")


ALICE, BOB, CAROL = identity("alice"), identity("bob"), identity("carol")
_SPECS = tempfile.TemporaryDirectory(prefix="apivigil-authz-specs-")


def with_spec(document: dict[str, Any]) -> Prepare:
    """Scan a Flask app with its OpenAPI document (FastAPI apps serve theirs)."""

    def prepare(app: Any, url: str) -> dict[str, Any]:
        path = Path(_SPECS.name) / "openapi.json"
        path.write_text(json.dumps(document))
        return {"spec": str(path)}

    return prepare


OWNERSHIP_CHECKS = ("bola.cross-identity", "bola.cross-identity-write")
OWNERSHIP_RULES = frozenset({"bola.cross-identity-read", "bola.cross-identity-write"})
OWNERSHIP = {"identities": (ALICE, BOB), "allow_unsafe_methods": True}

# the same fix is shown for writes a read-only resource should not take
ROLE_CHECKS = ("bfla.admin-function", "bfla.unsafe-method")
ROLE_RULES = frozenset({"bfla.admin-function-allowed", "bfla.undeclared-write-method"})
ROLES = {"identities": (ALICE, CAROL), "allow_unsafe_methods": True}

FIELDS_CHECKS = ("property_authorization.mass-assignment",)
FIELDS_RULES = frozenset({"property_authorization.mass-assignment"})
FIELDS = {"identities": (ALICE,), "allow_unsafe_methods": True}

SCHEMAS_CHECKS = ("property_authorization.exposure",)
SCHEMAS_RULES = frozenset({"property_authorization.other-user-private-property"})
SCHEMAS = {"identities": (ALICE, BOB)}

SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("object-ownership", Framework.FLASK): Scenario(
        OWNERSHIP_CHECKS, OWNERSHIP_RULES, fix_twins_authz.flask_notes, path="/api/notes",
        options=OWNERSHIP, all_clean=True),
    ("object-ownership", Framework.FASTAPI): Scenario(
        OWNERSHIP_CHECKS, OWNERSHIP_RULES, fix_twins_authz.fastapi_notes, options=OWNERSHIP,
        all_clean=True),
    ("admin-role", Framework.FLASK): Scenario(
        ROLE_CHECKS, ROLE_RULES, fix_twins_authz.flask_notes, options=ROLES,
        prepare=with_spec(ADMIN_SPEC), scan_path="/", all_clean=True),
    ("admin-role", Framework.FASTAPI): Scenario(
        ROLE_CHECKS, ROLE_RULES, fix_twins_authz.fastapi_notes, options=ROLES, all_clean=True),
    ("allowed-fields", Framework.FLASK): Scenario(
        FIELDS_CHECKS, FIELDS_RULES, fix_twins_authz.flask_notes, options=FIELDS,
        prepare=with_spec(NOTES_SPEC), scan_path="/", all_clean=True),
    ("allowed-fields", Framework.FASTAPI): Scenario(
        FIELDS_CHECKS, FIELDS_RULES, fix_twins_authz.fastapi_notes, options=FIELDS,
        all_clean=True),
    ("output-schemas", Framework.FLASK): Scenario(
        SCHEMAS_CHECKS, SCHEMAS_RULES, fix_twins_authz.flask_notes, path="/api/users",
        options=SCHEMAS, all_clean=True),
    ("output-schemas", Framework.FASTAPI): Scenario(
        SCHEMAS_CHECKS, SCHEMAS_RULES, fix_twins_authz.fastapi_notes, options=SCHEMAS,
        all_clean=True),
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    verify_fix(SCENARIOS, fix, framework)


# What each fixed app must still do for the right user: the checks stay silent when even the
# owner or the admin is refused, so without this a fix that refuses everyone would pass.
# (user, method, path, JSON body, status, fields the answer has: a JSON object)
STILL_ALLOWED: dict[str, list[tuple[str, str, str, Any, int, dict[str, Any]]]] = {
    "object-ownership": [
        ("alice", "GET", "/api/notes/1", None, 200, {"id": 1, "owner": "alice"}),
        ("alice", "PATCH", "/api/notes/1", {"title": "renamed"}, 200, {"title": "renamed"}),
        ("bob", "GET", "/api/notes/3", None, 200, {"id": 3, "owner": "bob"}),
    ],
    "admin-role": [
        ("carol", "GET", "/api/admin/users", None, 200, {}),
        ("carol", "POST", "/api/admin/reindex", None, 200, {"status": "reindexed"}),
        ("alice", "GET", "/api/data", None, 200, {"user": "alice"}),
    ],
    "allowed-fields": [
        ("alice", "POST", "/api/notes", {"title": "groceries", "body": "milk"}, 201,
         {"title": "groceries", "body": "milk", "owner": "alice"}),
    ],
    "output-schemas": [
        ("alice", "GET", "/api/users/me", None, 200,
         {"username": "alice", "email": "alice@example.com", "role": "user"}),
    ],
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_still_serves_the_right_user(fix, framework, serve, serve_asgi,
                                                   authority):
    app = build(example_of(fix, framework))
    url = serve_asgi(app) if framework is Framework.FASTAPI else serve(app, tls="modern").url
    with httpx.Client(base_url=url, verify=str(authority.ca_path), timeout=20.0) as client:
        for user, method, path, body, status, fields in STILL_ALLOWED[fix]:
            response = client.request(method, path, json=body, auth=(user, USERS[user][0]))
            assert response.status_code == status, (user, method, path, response.text)
            assert not fields or response.json().items() >= fields.items(), (user, path)
