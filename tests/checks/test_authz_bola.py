"""bola.cross-identity: one identity reads another's object by id; silent when ownership is
checked, skipped (with a reason) without a second identity."""

from __future__ import annotations

import copy

import pytest

from apivigil.core.config import Identity
from tests.fixtures.apps.authz_api import SPEC, TOKENS, USERS, authz_api, identity

CHECK = {"checks": ("bola.cross-identity",)}
TWO = (Identity.parse(identity("alice")), Identity.parse(identity("bob")))


def _scan(serve, run_scan, tmp_spec, app, **options):
    https = serve(app, tls="modern")
    return run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO, **CHECK, **options)


def test_object_readable_by_another_user_is_flagged(serve, run_scan, tmp_spec):
    app = authz_api(check_owner=False)
    report = _scan(serve, run_scan, tmp_spec, app)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.confidence.value) == (
        "bola.cross-identity-read", "high", "high")
    assert (finding.path, finding.parameter) == ("/api/notes/{noteId}", "noteId")
    assert set(finding.cwe) >= {639} and [o.value for o in finding.owasp] == ["API1:2023"]
    # Evidence for both identities: bob's exchange, and alice's in the data.
    assert finding.evidence.request.startswith("GET /api/notes/10 ")
    assert "alice's plan" in finding.evidence.response
    assert finding.evidence.data["owner_identity"] == "alice"
    assert finding.evidence.data["reader_identity"] == "bob"
    assert "as 'alice'" in finding.evidence.data["owner_exchange"]
    assert "Basic [REDACTED]" in finding.evidence.request
    flask, fastapi = finding.remediation.examples  # the tested object-ownership examples
    assert "note = notes_of(auth.current_user()).get(note_id)" in flask.code
    assert "Depends(owned_note)" in fastapi.code


def test_without_spec_the_rest_convention_is_used(serve, run_scan):
    https = serve(authz_api(check_owner=False), tls="modern")
    report = run_scan(https.url + "/api/notes", identities=TWO, **CHECK)
    assert [(f.id, f.path) for f in report.findings] == [
        ("bola.cross-identity-read", "/api/notes/{id}")]


def test_ownership_checked_in_the_query_is_silent(serve, run_scan, tmp_spec):
    app = authz_api(check_owner=True)
    report = _scan(serve, run_scan, tmp_spec, app)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"
    # It did try: bob asked for alice's note and was refused.
    assert {"method": "GET", "path": "/api/notes/10", "user": "bob", "json": None} in (
        app.config["RECEIVED"])


def test_no_identity_password_reaches_the_report(serve, run_scan, tmp_spec):
    report = _scan(serve, run_scan, tmp_spec, authz_api(check_owner=False))
    text = report.model_dump_json()
    assert report.findings
    for password, *_ in USERS.values():
        assert password not in text


def test_one_identity_is_skipped_with_reason(serve, run_scan, tmp_spec):
    https = serve(authz_api(check_owner=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO[:1], **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "skipped"
    assert "two identities" in (report.checks[0].reason or "")


def _example_only_spec(example):
    """The notes spec without the listing: the only id is the path parameter's example."""
    spec = copy.deepcopy(SPEC)
    del spec["paths"]["/api/notes"]["get"]
    spec["paths"]["/api/notes/{noteId}"]["parameters"][0]["example"] = example
    return spec


def test_spec_example_id_owned_by_the_primary_is_tried(serve, run_scan, tmp_spec):
    https = serve(authz_api(check_owner=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(_example_only_spec(10)), identities=TWO, **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.confidence.value, finding.path) == (
        "bola.cross-identity-read", "medium", "/api/notes/{noteId}")
    assert "names 'alice' as its owner" in finding.description


@pytest.mark.parametrize(("check_owner", "example"), [(True, 10), (False, 12)])
def test_spec_example_is_silent_when_checked_or_not_the_primarys(
        serve, run_scan, tmp_spec, check_owner, example):
    app = authz_api(check_owner=check_owner)
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(_example_only_spec(example)), identities=TWO,
                      **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"
    # The example object was read as alice (the owner test) in both cases.
    asked_by_alice = {r["path"] for r in app.config["RECEIVED"] if r["user"] == "alice"}
    assert f"/api/notes/{example}" in asked_by_alice


def test_bearer_token_identities_work_and_stay_redacted(serve, run_scan, tmp_spec):
    tokens = (Identity.parse(identity("alice", bearer=True)),
              Identity.parse(identity("bob", bearer=True)))
    https = serve(authz_api(check_owner=False), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=tokens, **CHECK)
    [finding] = report.findings
    assert finding.id == "bola.cross-identity-read"
    assert "authorization: bearer [redacted]" in finding.evidence.request.lower()
    text = report.model_dump_json()
    assert not any(token in text for token in TOKENS)
