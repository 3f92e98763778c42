"""When a finished scan deserves an alert: its grade dropped, or a new finding at or above a
severity appeared since the target's previous scan (new by fingerprint, so a finding whose
evidence merely changed is not new). A target's first scan has no previous one: every finding
at or above the threshold is new; no grade can drop.
"""

from __future__ import annotations

from dataclasses import dataclass

from apivigil.core.models import Finding, Report, Severity
from apivigil.store.diff import diff_reports

GRADES = "ABCDF"


@dataclass(frozen=True)
class AlertRule:
    min_severity: Severity | None = Severity.HIGH
    on_grade_drop: bool = True


@dataclass(frozen=True)
class Alert:
    target: str
    scan_id: int
    grade_before: str | None
    grade_after: str | None  # None: the scan tested nothing
    score_after: int | None
    reasons: tuple[str, ...]
    new_findings: tuple[Finding, ...]


def grade_dropped(before: str | None, after: str | None) -> bool:
    """A worse letter, or a graded target whose scan now tests nothing (never an all-clear)."""
    if before is None or before not in GRADES:
        return False
    if after is None:
        return True
    return after in GRADES and GRADES.index(after) > GRADES.index(before)


def evaluate(rule: AlertRule, previous: Report | None, current: Report,
             scan_id: int) -> Alert | None:
    """The alert this rule raises for `current`, or None."""
    reasons: list[str] = []
    new = tuple(current.findings) if previous is None else diff_reports(previous, current).new
    serious: tuple[Finding, ...] = ()
    if rule.min_severity is not None:
        threshold = rule.min_severity
        serious = tuple(f for f in new if f.severity.at_least(threshold))
        if serious:
            reasons.append(f"{len(serious)} new finding(s) at or above {threshold.value}")
    if rule.on_grade_drop and previous is not None and grade_dropped(previous.grade,
                                                                    current.grade):
        reasons.append(f"grade dropped from {previous.grade} to "
                       f"{current.grade or 'not tested'}")
    if not reasons:
        return None
    return Alert(target=current.target, scan_id=scan_id,
                 grade_before=previous.grade if previous else None, grade_after=current.grade,
                 score_after=current.score, reasons=tuple(reasons), new_findings=serious)
