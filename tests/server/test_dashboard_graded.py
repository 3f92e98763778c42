"""apivigil scans its own dashboard (HTTPS, anonymously, every check) and grades it A."""

from __future__ import annotations

from apivigil.core.models import OutcomeStatus, Severity


def test_the_dashboard_grades_a(dashboard, run_scan):
    report = run_scan(dashboard.url + "/", timeout=10.0, max_duration=240.0)
    summary = [f"{f.id} ({f.severity.value}) {f.title}" for f in report.findings]
    assert report.grade == "A", summary
    assert not [f for f in report.findings if f.severity.at_least(Severity.LOW)], summary
    completed = {o.check for o in report.checks if o.status is OutcomeStatus.COMPLETED}
    # The transport and session checks really ran against it.
    assert {"encryption.hsts", "encryption.tls", "encryption.certificate", "encryption.cookies",
            "data_exposure.cors", "authentication.debug-console"} <= completed, report.checks
