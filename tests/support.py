"""Helpers for asserting what a user would see in a report."""

from __future__ import annotations

from apivigil.core.models import Report, Severity


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def rule_ids(report: Report) -> set[str]:
    return {f.id for f in report.findings}


def above_low(report: Report) -> list[str]:
    """Findings a clean app must not produce (the precision promise: nothing above low)."""
    return [f"{f.id} ({f.severity.value})" for f in report.findings
            if f.severity.rank > Severity.LOW.rank]


def outcome(report: Report, check: str) -> str:
    return next(o.status.value for o in report.checks if o.check == check)
