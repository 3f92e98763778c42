"""The demo: the vulnerable API lets a burst of failed logins through; the hardened one answers
429 with Retry-After, keyed on the connection's address (no bypass)."""

from __future__ import annotations

from apivigil.demo.server import demo_scan_options, serve_demo
from apivigil.engine.runner import Scanner
from tests.support import above_low

FAMILY = ("rate_limiting",)


def scan_demo(hardened: bool):
    with serve_demo(hardened=hardened) as running:
        return Scanner(demo_scan_options(running, checks=FAMILY)).run()


def test_vulnerable_demo_has_no_login_throttling():
    report = scan_demo(hardened=False)
    found = {(f.id, f.severity.value, f.path) for f in report.findings}
    assert ("rate_limiting.no-login-throttling", "high", "/api/login") in found


def test_hardened_demo_throttles_and_cannot_be_bypassed():
    report = scan_demo(hardened=True)
    assert above_low(report) == []
    throttled = next(f for f in report.findings if f.id == "rate_limiting.login-throttled")
    assert throttled.evidence.data["signal"] == "429 Too Many Requests"
    assert int(throttled.evidence.data["throttled_at"]) <= 30  # type: ignore[arg-type]
    bypass = next(o for o in report.checks if o.check == "rate_limiting.bypass")
    assert bypass.status.value == "completed" and bypass.requests >= 6  # it did try
