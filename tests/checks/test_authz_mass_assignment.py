"""property_authorization.mass-assignment: extra properties that stick are flagged; ignored or
rejected ones are silent; nothing is sent without --allow-unsafe-methods."""

from __future__ import annotations

import pytest

from apivigil.core.config import Identity
from tests.fixtures.apps.authz_api import SPEC, authz_api, identity

CHECK = {"checks": ("property_authorization.mass-assignment",)}
IDENTITIES = (Identity.parse(identity("root", "admin")), Identity.parse(identity("alice", "user")))


def _scan(serve, run_scan, tmp_spec, app, **options):
    https = serve(app, tls="modern")
    return run_scan(https.url, spec=tmp_spec(SPEC), identities=IDENTITIES, **CHECK, **options)


def _posts(app):
    return [r for r in app.config["RECEIVED"] if r["method"] == "POST"]


def test_assigned_privileged_properties_are_flagged(serve, run_scan, tmp_spec):
    app = authz_api(assign_unknown=True)
    report = _scan(serve, run_scan, tmp_spec, app, allow_unsafe_methods=True)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.method, finding.path) == (
        "property_authorization.mass-assignment", "high", "POST", "/api/notes")
    assert finding.evidence.data["assigned"] == ["is_admin", "owner_id", "role"]
    assert 915 in finding.cwe and [o.value for o in finding.owasp] == ["API3:2023"]
    assert '"is_admin": true' in finding.evidence.request
    assert all('extra="forbid"' in e.code for e in finding.remediation.examples)
    # Sent once, as the non-admin identity, with a body the schema accepts.
    [post] = _posts(app)
    assert post["user"] == "alice"
    assert post["json"] == {"title": "groceries", "role": "admin", "is_admin": True,
                            "owner_id": 4242424}


def test_properties_are_read_back_when_the_create_answers_only_an_id(serve, run_scan, tmp_spec):
    app = authz_api(assign_unknown=True, echo_created=False)
    report = _scan(serve, run_scan, tmp_spec, app, allow_unsafe_methods=True)
    [finding] = report.findings
    assert finding.evidence.data["assigned"] == ["is_admin", "owner_id", "role"]
    assert "GET /api/notes/13 " in finding.evidence.data["read_back_exchange"]


@pytest.mark.parametrize("options", [{}, {"reject_unknown": True}, {"echo_created": False}])
def test_ignored_or_rejected_unknown_fields_are_silent(serve, run_scan, tmp_spec, options):
    app = authz_api(**options)
    report = _scan(serve, run_scan, tmp_spec, app, allow_unsafe_methods=True)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"
    assert len(_posts(app)) == 1  # it was attempted


def test_not_attempted_without_allow_unsafe_methods(serve, run_scan, tmp_spec):
    app = authz_api(assign_unknown=True)
    report = _scan(serve, run_scan, tmp_spec, app)
    assert report.findings == []
    assert report.checks[0].status.value == "skipped"
    assert "--allow-unsafe-methods" in (report.checks[0].reason or "")
    assert _posts(app) == []
