"""The demo: the vulnerable API's data exposure failures are found; the hardened one is quiet."""

from __future__ import annotations

from apivigil.demo.apps import DEMO_PASSWORD
from apivigil.demo.server import demo_scan_options, serve_demo
from apivigil.engine.runner import Scanner
from tests.support import above_low

FAMILY = ("data_exposure.sensitive-data", "data_exposure.error-disclosure",
          "data_exposure.version-banner", "data_exposure.cors", "data_exposure.cache-control")


def scan_demo(hardened: bool):
    with serve_demo(hardened=hardened) as running:
        return Scanner(demo_scan_options(running, checks=FAMILY)).run()


def test_vulnerable_demo_echoes_credentials_and_shows_the_debugger():
    report = scan_demo(hardened=False)
    found = {(f.id, f.severity.value, f.path) for f in report.findings}
    assert ("data_exposure.credentials-echoed", "high", "/api/whoami") in found
    assert ("data_exposure.debug-page", "high", "/api/secure") in found
    assert ("data_exposure.cacheable-authenticated", "low", None) in found
    assert DEMO_PASSWORD not in report.model_dump_json()


def test_hardened_demo_has_nothing_above_low():
    report = scan_demo(hardened=True)
    assert above_low(report) == []
    assert {f.id for f in report.findings} <= {"data_exposure.version-banner"}
    assert report.requests < 40
