"""The demo: the vulnerable spec's http:// server is flagged; the hardened demo stays quiet."""

from __future__ import annotations

from apivigil.demo.server import demo_scan_options, serve_demo
from apivigil.engine.runner import Scanner
from tests.support import above_low

FAMILY = ("inventory", "encryption.spec-transport", "data_exposure.spec-undeclared-properties")


def scan_demo(hardened: bool):
    with serve_demo(hardened=hardened) as running:
        return Scanner(demo_scan_options(running, checks=FAMILY)).run()


def test_vulnerable_demo_shows_spec_vs_transport():
    report = scan_demo(hardened=False)
    found = {(f.id, f.severity.value) for f in report.findings}
    assert ("encryption.spec-credentials-over-http", "high") in found
    assert ("encryption.spec-cleartext-served", "high") in found
    assert {o.status for o in report.operations} == {"exercised"}


def test_hardened_demo_has_nothing_above_low():
    report = scan_demo(hardened=True)
    assert above_low(report) == []
    assert {f.id for f in report.findings} <= {"inventory.public-spec",
                                               "inventory.operation-without-security"}
    assert report.requests < 40
