"""bfla.unsafe-method: a read-only resource (GET only in the spec) that accepts PATCH or DELETE
from a regular user is flagged; 405 is silent; intrusive and DELETE-gated."""

from __future__ import annotations

from apivigil.core.config import Identity
from tests.fixtures.apps.authz_api import SPEC, authz_api, identity

CHECK = {"checks": ("bfla.unsafe-method",)}
IDENTITIES = (Identity.parse(identity("root", "admin")), Identity.parse(identity("alice", "user")))


def _scan(serve, run_scan, tmp_spec, app, **options):
    https = serve(app, tls="modern")
    return run_scan(https.url, spec=tmp_spec(SPEC), identities=IDENTITIES, **CHECK, **options)


def _writes(app):
    return [(r["method"], r["path"], r["user"]) for r in app.config["RECEIVED"]
            if r["method"] not in ("GET", "HEAD")]


def test_patch_on_read_only_resource_is_flagged(serve, run_scan, tmp_spec):
    app = authz_api(hidden_writes=True)
    report = _scan(serve, run_scan, tmp_spec, app, allow_unsafe_methods=True)
    [finding] = report.findings
    assert (finding.id, finding.method, finding.path, finding.severity.value) == (
        "bfla.undeclared-write-method", "PATCH", "/api/tags/{tagId}", "medium")
    assert [o.value for o in finding.owasp] == ["API5:2023"]
    assert ("PATCH", "/api/tags/1", "alice") in _writes(app)
    assert not any(method == "DELETE" for method, *_ in _writes(app))


def test_delete_is_sent_only_with_allow_delete(serve, run_scan, tmp_spec):
    app = authz_api(hidden_writes=True)
    report = _scan(serve, run_scan, tmp_spec, app, allow_unsafe_methods=True,
                   allow_delete=True)
    # PATCH is tried first and already proves the flaw, so the tag is not deleted...
    assert [(f.method, f.path) for f in report.findings] == [("PATCH", "/api/tags/{tagId}")]
    deletes = [w for w in _writes(app) if w[0] == "DELETE"]
    assert ("DELETE", "/api/tags/1", "alice") not in deletes
    # ...but resources that refused PATCH were tried with DELETE, as the non-admin identity.
    assert deletes and {user for *_, user in deletes} == {"alice"}


def test_read_only_routes_are_silent(serve, run_scan, tmp_spec):
    app = authz_api(hidden_writes=False)
    report = _scan(serve, run_scan, tmp_spec, app, allow_unsafe_methods=True, allow_delete=True)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"
    assert ("PATCH", "/api/tags/1", "alice") in _writes(app)


def test_not_sent_without_allow_unsafe_methods(serve, run_scan, tmp_spec):
    app = authz_api(hidden_writes=True)
    report = _scan(serve, run_scan, tmp_spec, app)
    assert report.checks[0].status.value == "skipped"
    assert _writes(app) == []
