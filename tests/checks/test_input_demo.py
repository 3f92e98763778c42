"""The demo: an oversized password crashes the vulnerable API into the Werkzeug debugger; the
hardened API refuses it cleanly."""

from __future__ import annotations

from apivigil.demo.server import demo_scan_options, serve_demo
from apivigil.engine.runner import Scanner
from tests.support import above_low

FAMILY = ("input_validation",)


def scan_demo(hardened: bool):
    with serve_demo(hardened=hardened) as running:
        return Scanner(demo_scan_options(running, checks=FAMILY)).run()


def test_vulnerable_demo_crashes_on_an_oversized_password():
    report = scan_demo(hardened=False)
    found = {(f.id, f.severity.value, f.path, f.parameter) for f in report.findings}
    assert ("input_validation.unhandled-error", "medium", "/api/secure",
            "credential password") in found


def test_hardened_demo_has_nothing_above_low():
    report = scan_demo(hardened=True)
    assert above_low(report) == []
    assert report.findings == []
    assert report.requests < 50
