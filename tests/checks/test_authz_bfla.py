"""bfla.admin-function: admin operations protected only by authentication are flagged; a role
check keeps it silent; unsafe admin operations are sent only with --allow-unsafe-methods."""

from __future__ import annotations

import pytest

from apivigil.checks.authorization.objects import looks_administrative
from apivigil.core.config import Identity
from tests.fixtures.apps.authz_api import SPEC, authz_api, identity

CHECK = {"checks": ("bfla.admin-function",)}
USER_AND_ADMIN = (Identity.parse(identity("alice", "user")),
                  Identity.parse(identity("root", "admin")))


def _scan(serve, run_scan, tmp_spec, app, identities=USER_AND_ADMIN, **options):
    https = serve(app, tls="modern")
    return run_scan(https.url, spec=tmp_spec(SPEC), identities=identities, **CHECK, **options)


def _received(app, method, path):
    return [r["user"] for r in app.config["RECEIVED"] if (r["method"], r["path"]) == (
        method, path)]


def test_admin_endpoints_without_role_check_are_flagged(serve, run_scan, tmp_spec):
    report = _scan(serve, run_scan, tmp_spec, authz_api(check_role=False))
    found = {(f.id, f.method, f.path, f.severity.value, f.confidence.value)
             for f in report.findings}
    assert found == {
        ("bfla.admin-function-allowed", "GET", "/api/admin/stats", "high", "high"),
        ("bfla.admin-function-allowed", "GET", "/api/admin/users", "high", "high"),
    }
    finding = report.findings[0]
    assert finding.evidence.data["caller_identity"] == "alice"
    assert finding.evidence.data["admin_identity"] == "root"
    assert "as 'root'" in finding.evidence.data["admin_exchange"]
    assert [o.value for o in finding.owasp] == ["API5:2023"] and 285 in finding.cwe
    flask, fastapi = finding.remediation.examples  # the tested admin-role examples
    assert '@auth.login_required(role="admin")' in flask.code
    assert 'dependencies=[Depends(require_role("admin"))]' in fastapi.code


def test_role_checked_admin_endpoints_are_silent(serve, run_scan, tmp_spec):
    app = authz_api(check_role=True)
    report = _scan(serve, run_scan, tmp_spec, app, allow_unsafe_methods=True)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"
    assert "alice" in _received(app, "GET", "/api/admin/users")  # it did try, and got 403
    assert "alice" in _received(app, "POST", "/api/admin/reindex")


def test_untagged_identity_counts_as_non_admin_next_to_an_admin(serve, run_scan, tmp_spec):
    identities = (Identity.parse(identity("bob")), Identity.parse(identity("root", "admin")))
    report = _scan(serve, run_scan, tmp_spec, authz_api(check_role=False),
                   identities=identities)
    assert {f.evidence.data["caller_identity"] for f in report.findings} == {"bob"}


def test_unsafe_admin_operation_only_with_allow_unsafe_methods(serve, run_scan, tmp_spec):
    app = authz_api(check_role=False)
    report = _scan(serve, run_scan, tmp_spec, app)
    assert ("POST", "/api/admin/reindex") not in {(f.method, f.path) for f in report.findings}
    assert _received(app, "POST", "/api/admin/reindex") == []

    app = authz_api(check_role=False)
    report = _scan(serve, run_scan, tmp_spec, app, allow_unsafe_methods=True)
    [post] = [f for f in report.findings if f.method == "POST"]
    assert (post.path, post.confidence.value) == ("/api/admin/reindex", "medium")
    assert _received(app, "POST", "/api/admin/reindex") == ["alice"]


def test_without_role_tags_it_is_skipped_with_reason(serve, run_scan, tmp_spec):
    identities = (Identity.parse(identity("alice")), Identity.parse(identity("root")))
    report = _scan(serve, run_scan, tmp_spec, authz_api(check_role=False),
                   identities=identities)
    assert report.findings == []
    assert report.checks[0].status.value == "skipped"
    assert "role" in (report.checks[0].reason or "")


@pytest.mark.parametrize(("path", "admin"), [
    ("/api/admin/users", True), ("/internal/metrics", True), ("/api/Management", True),
    ("/api/manage/profile", False), ("/api/administered-items", False), ("/api/users", False),
])
def test_administrative_paths(path, admin):
    assert (looks_administrative(path, None) is not None) is admin


def test_admin_roles_setting_names_extra_privileged_roles(serve, run_scan, tmp_spec):
    identities = (Identity.parse(identity("alice", "user")),
                  Identity.parse(identity("root", "manager")))
    report = _scan(serve, run_scan, tmp_spec, authz_api(check_role=False),
                   identities=identities, settings={"admin_roles": ("manager",)})
    assert {(f.evidence.data["caller_identity"], f.evidence.data.get("admin_identity"),
             f.confidence.value) for f in report.findings} == {("alice", "root", "high")}

    report = _scan(serve, run_scan, tmp_spec, authz_api(check_role=False),
                   identities=identities)  # 'manager' is not an admin role by default
    assert "admin_identity" not in report.findings[0].evidence.data
    assert {f.confidence.value for f in report.findings} == {"medium"}
