"""The authorization family on the bundled demo: silent on the hardened API, also with both
demo users as identities (a named false-alarm regression)."""

from __future__ import annotations

from apivigil.core.config import Identity
from apivigil.demo.apps import DEMO_PASSWORD, DEMO_USER
from apivigil.demo.server import demo_scan_options, serve_demo
from apivigil.engine.runner import Scanner

FAMILY = ("bola", "bfla", "property_authorization")


def test_hardened_demo_with_two_identities_is_silent():
    identities = (Identity.parse(f"alice:role=user={DEMO_USER}:{DEMO_PASSWORD}"),
                  Identity.parse("bob:role=user=bob:builder-demo-9"))
    with serve_demo(hardened=True) as running:
        options = demo_scan_options(running, credentials=None, identities=identities,
                                    checks=FAMILY)
        report = Scanner(options).run()
    assert report.findings == []
    statuses = {o.check: o.status.value for o in report.checks}
    assert statuses["bola.cross-identity"] == "completed"
    assert statuses["property_authorization.exposure"] == "completed"
    text = report.model_dump_json()
    assert DEMO_PASSWORD not in text and "builder-demo-9" not in text


def test_demo_default_scan_skips_what_needs_two_identities():
    with serve_demo(hardened=True) as running:
        report = Scanner(demo_scan_options(running, checks=FAMILY)).run()
    reasons = {o.check: o.reason for o in report.checks if o.status.value == "skipped"}
    assert "two identities" in reasons["bola.cross-identity"]
    assert "role" in reasons["bfla.admin-function"]
    assert report.findings == []
