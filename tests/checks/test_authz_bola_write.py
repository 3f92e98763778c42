"""bola.cross-identity-write: PATCH {} to another identity's object; silent when ownership is
checked on writes; intrusive."""

from __future__ import annotations

from apivigil.core.config import Identity
from tests.fixtures.apps.authz_api import SPEC, authz_api, identity

CHECK = {"checks": ("bola.cross-identity-write",)}
TWO = (Identity.parse(identity("alice")), Identity.parse(identity("bob")))


def _patches(app):
    return [(r["path"], r["user"], r["json"]) for r in app.config["RECEIVED"]
            if r["method"] == "PATCH"]


def test_other_identity_can_patch_the_primarys_object(serve, run_scan, tmp_spec):
    app = authz_api(check_owner=True, check_owner_on_write=False)  # reads checked, writes not
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO, allow_unsafe_methods=True,
                      **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.method, finding.path, finding.confidence.value) == (
        "bola.cross-identity-write", "PATCH", "/api/notes/{noteId}", "high")
    assert finding.evidence.data["writer_identity"] == "bob"
    # The probe changed nothing: its body was an empty object.
    assert _patches(app) == [("/api/notes/10", "bob", {})]


def test_ownership_checked_on_writes_is_silent(serve, run_scan, tmp_spec):
    app = authz_api()
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO, allow_unsafe_methods=True,
                      **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"
    assert ("/api/notes/10", "bob", {}) in _patches(app)


def test_no_patch_without_allow_unsafe_methods(serve, run_scan, tmp_spec):
    app = authz_api(check_owner_on_write=False)
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO, **CHECK)
    assert report.checks[0].status.value == "skipped"
    assert _patches(app) == []
