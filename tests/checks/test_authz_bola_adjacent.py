"""bola.adjacent-ids: with one identity, a neighbouring id that belongs to another owner is
flagged; silent when ownership is checked, and it steps aside when two identities are given."""

from __future__ import annotations

from flask import Flask, jsonify

from apivigil.core.config import Identity
from tests.fixtures.apps.authz_api import SPEC, authz_api, identity
from tests.fixtures.apps.basic import valid_credentials
from tests.support import assert_completed

CHECK = {"checks": ("bola.adjacent-ids",)}
ALICE = (Identity.parse(identity("alice")),)


def test_neighbour_owned_by_someone_else_is_flagged(serve, run_scan, tmp_spec):
    https = serve(authz_api(check_owner=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=ALICE, **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.confidence.value, finding.path) == (
        "bola.adjacent-object-read", "high", "medium", "/api/notes/{noteId}")
    assert finding.evidence.data["object_id"] == "12"
    assert "owner='alice'" in finding.description and "owner='bob'" in finding.description


def test_ownership_checked_is_silent(serve, run_scan, tmp_spec):
    app = authz_api(check_owner=True)
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=ALICE, **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"
    tried = {r["path"] for r in app.config["RECEIVED"] if r["user"] == "alice"}
    assert {"/api/notes/12", "/api/notes/13", "/api/notes/9"} <= tried


def _catalogue(paginated: bool) -> Flask:
    """A shared catalogue: objects without owners; the listing shows the first page."""
    app = Flask("catalogue")
    items = {i: {"id": i, "name": f"item {i}"} for i in range(1, 6)}

    @app.before_request
    def auth():
        if not valid_credentials():
            return jsonify(error="unauthorized"), 401
        return None

    @app.get("/api/items")
    def listing():
        body = {"items": [items[1], items[2]]}
        if paginated:
            body["next"] = "/api/items?page=2"
        return jsonify(body)

    @app.get("/api/items/<int:item_id>")
    def item(item_id):
        return jsonify(items[item_id]) if item_id in items else (jsonify(error="nf"), 404)

    return app


def test_ownerless_neighbour_is_low_and_pagination_is_silent(serve, run_scan):
    carol = (Identity.parse("carol=carol:correct-horse-battery"),)
    https = serve(_catalogue(paginated=False), tls="modern")
    report = run_scan(https.url + "/api/items", identities=carol, **CHECK)
    assert [(f.id, f.severity.value, f.confidence.value) for f in report.findings] == [
        ("bola.adjacent-object-read", "low", "low")]

    https = serve(_catalogue(paginated=True), tls="modern")
    report = run_scan(https.url + "/api/items", identities=carol, **CHECK)
    assert_completed(report)
    assert report.findings == []


def test_two_identities_defer_to_the_cross_identity_check(serve, run_scan, tmp_spec):
    https = serve(authz_api(check_owner=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC),
                      identities=(*ALICE, Identity.parse(identity("bob"))), **CHECK)
    assert report.checks[0].status.value == "skipped"
    assert "bola.cross-identity" in (report.checks[0].reason or "")
