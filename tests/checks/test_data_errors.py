"""data_exposure.error-disclosure and data_exposure.version-banner."""

from __future__ import annotations

from tests.fixtures.apps.data_exposure import banner_api, crashing_api, serve_quiet, sql_error_api
from tests.support import above_low, assert_completed

CHECK = {"checks": ("data_exposure.error-disclosure",)}


def test_werkzeug_debugger_is_high_with_internal_details(serve, run_scan):
    https = serve(crashing_api(debug=True), tls="modern")
    report = run_scan(https.url + "/api/items", **CHECK)
    found = {f.id: f.severity.value for f in report.findings}
    assert found == {"data_exposure.debug-page": "high",
                     "data_exposure.internal-path": "low",
                     "data_exposure.private-address": "low"}
    debug = next(f for f in report.findings if f.id == "data_exposure.debug-page")
    assert debug.evidence.data["signature"] == "Werkzeug interactive debugger"
    assert debug.path == "/api/items"


def test_generic_error_handler_is_silent(serve, run_scan):
    https = serve(crashing_api(debug=False), tls="modern")
    report = run_scan(https.url + "/api/items", **CHECK)
    assert_completed(report)
    assert report.findings == []  # a bare 500 is never called a leak


def test_sql_error_text_is_flagged(serve, run_scan):
    https = serve(sql_error_api(leak=True), tls="modern")
    report = run_scan(https.url + "/api/search", **CHECK)
    assert [(f.id, f.severity.value) for f in report.findings] == [
        ("data_exposure.database-error", "medium")]


def test_generic_sql_failure_is_silent(serve, run_scan):
    https = serve(sql_error_api(leak=False), tls="modern")
    report = run_scan(https.url + "/api/search", **CHECK)
    assert_completed(report)
    assert above_low(report) == []
    assert report.findings == []


def test_version_banner_is_low(authority, run_scan):
    with serve_quiet(banner_api(banner=True), authority.server_context()) as url:
        report = run_scan(url + "/", checks=("data_exposure.version-banner",))
    [finding] = report.findings
    assert (finding.id, finding.severity.value) == ("data_exposure.version-banner", "low")
    assert finding.evidence.data == {"x-powered-by": "PHP/8.1.2"}


def test_development_server_banner_is_low(serve, run_scan):
    https = serve(banner_api(banner=False), tls="modern")  # Werkzeug's own Server header
    report = run_scan(https.url + "/", checks=("data_exposure.version-banner",))
    assert [(f.id, f.severity.value) for f in report.findings] == [
        ("data_exposure.version-banner", "low")]
    assert str(report.findings[0].evidence.data["server"]).startswith("Werkzeug/")


def test_no_version_banner_is_silent(authority, run_scan):
    with serve_quiet(banner_api(banner=False), authority.server_context()) as url:
        report = run_scan(url + "/", checks=("data_exposure.version-banner",))
    assert_completed(report)
    assert report.findings == []


def test_debug_404_page_is_found_with_a_stable_fingerprint(serve, run_scan):
    from flask import Flask, jsonify

    app = Flask("django-like")
    app.get("/")(lambda: jsonify(ok=True))
    app.register_error_handler(404, lambda _: (
        "<h1>Page not found</h1><p>You're seeing this error because you have "
        "<code>DEBUG = True</code> in your Django settings file.</p>", 404))
    https = serve(app, tls="modern")
    first, second = (run_scan(https.url + "/", **CHECK) for _ in range(2))
    assert [(f.id, f.path) for f in first.findings] == [
        ("data_exposure.debug-page", "/{nonexistent}")]
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
