"""inventory.spec-conformance: status codes, content types and paths the spec does not match."""

from __future__ import annotations

from tests.fixtures.apps.spec_apps import drift_api, drift_spec

CHECK = {"checks": ("inventory.spec-conformance",)}


def test_drifted_api_is_flagged_per_operation(serve, run_scan, tmp_spec):
    http = serve(drift_api(clean=False))
    report = run_scan(http.url, spec=tmp_spec(drift_spec()), **CHECK)
    found = {(f.id, f.severity.value, f.method, f.path, f.parameter) for f in report.findings}
    assert found == {
        ("inventory.undeclared-content-type", "low", "GET", "/items", "200 text/html"),
        ("inventory.spec-path-missing", "low", "GET", "/legacy", "404"),
        ("inventory.undeclared-status", "low", "GET", "/items/{id}", "500"),
    }
    for finding in report.findings:
        assert finding.cwe and finding.owasp and finding.evidence.curl
    missing = next(f for f in report.findings if f.id == "inventory.spec-path-missing")
    assert "HTTP/1.1 404" in (missing.evidence.response or "")


def test_every_operation_is_listed_as_exercised(serve, run_scan, tmp_spec):
    http = serve(drift_api(clean=False))
    report = run_scan(http.url, spec=tmp_spec(drift_spec()), **CHECK)
    listed = {(o.method, o.path, o.status, o.http_status) for o in report.operations}
    assert listed == {("GET", "/items", "exercised", 200), ("GET", "/legacy", "exercised", 404),
                      ("GET", "/items/{id}", "exercised", 500)}


def test_api_that_keeps_its_spec_is_silent(serve, run_scan, tmp_spec):
    http = serve(drift_api(clean=True))
    report = run_scan(http.url, spec=tmp_spec(drift_spec()), **CHECK)
    assert report.findings == []
    assert {o.status for o in report.operations} == {"exercised"}


def test_skipped_without_a_spec(serve, run_scan):
    http = serve(drift_api(clean=True))
    report = run_scan(http.url, **CHECK)
    [outcome] = report.checks
    assert outcome.status.value == "skipped" and "spec" in (outcome.reason or "")
