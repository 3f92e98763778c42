"""inventory.undocumented-endpoints: debug pages and older versions the spec does not list."""

from __future__ import annotations

from tests.fixtures.apps.spec_apps import versions_api, versions_spec
from tests.support import assert_completed

CHECK = {"checks": ("inventory.undocumented-endpoints",)}


def test_debug_page_and_previous_version_are_found(serve, run_scan, tmp_spec):
    http = serve(versions_api(clean=False))
    report = run_scan(http.url, spec=tmp_spec(versions_spec()), **CHECK)
    found = {(f.id, f.severity.value, f.path) for f in report.findings}
    assert found == {("inventory.undocumented-endpoint", "medium", "/debug"),
                     ("inventory.undocumented-endpoint", "low", "/v1/users")}
    old = next(f for f in report.findings if f.path == "/v1/users")
    assert "older version of /v2/users" in old.description


def test_only_documented_paths_is_silent(serve, run_scan, tmp_spec):
    http = serve(versions_api(clean=True))
    report = run_scan(http.url, spec=tmp_spec(versions_spec()), **CHECK)
    assert_completed(report)
    assert report.findings == []


def test_catch_all_app_raises_no_alarm(serve, run_scan, tmp_spec):
    http = serve(versions_api(clean=False, catch_all=True))
    report = run_scan(http.url, spec=tmp_spec(versions_spec()), **CHECK)
    assert report.findings == []
    assert report.checks[0].requests == 1  # the control answered 200: nothing more is sent
