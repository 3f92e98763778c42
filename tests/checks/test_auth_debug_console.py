"""authentication.debug-console: debug consoles and debug error pages must not be reachable."""

from __future__ import annotations

import pytest

from tests.fixtures.apps.auth import (
    django_debug_404,
    express_stack_404,
    login_api,
    werkzeug_debugger_api,
)

CHECK = {"checks": ("authentication.debug-console",)}


def test_werkzeug_console_is_critical_and_its_secret_is_masked(serve, run_scan):
    https = serve(werkzeug_debugger_api(evalex=True), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.path) == (
        "authentication.werkzeug-console", "critical", "/console")
    response = finding.evidence.response or ""
    assert "Werkzeug Debugger" in response
    assert 'SECRET = "[REDACTED]"' in response
    assert report.checks[0].requests == 1  # one GET of /console, nothing executed


def test_debugger_without_console_is_high(serve, run_scan):
    https = serve(werkzeug_debugger_api(evalex=False), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    assert [(f.id, f.severity.value) for f in report.findings] == [
        ("authentication.werkzeug-debugger", "high")]


@pytest.mark.parametrize(("app", "page", "severity"), [
    (django_debug_404, "Django debug page", "high"),
    (express_stack_404, "Express stack trace", "medium"),
])
def test_framework_debug_pages(serve, run_scan, app, page, severity):
    https = serve(app(), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value) == ("authentication.debug-error-page", severity)
    assert finding.evidence.data["page"] == page


def test_production_app_is_silent(serve, run_scan):
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    assert report.findings == []
    assert report.checks[0].requests == 1 + 3
