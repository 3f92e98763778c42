"""Compare two reports of the same API: what is new, what was fixed, how the grade moved.

Findings are matched by fingerprint (rule, method, path template, parameter; never evidence),
so a finding whose response body changed between runs is still "unchanged".
"""

from __future__ import annotations

from dataclasses import dataclass

from apivigil.core.models import Finding, Report


@dataclass(frozen=True)
class ReportDiff:
    """B compared with A (A is the older scan)."""

    new: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    unchanged: tuple[Finding, ...]
    grade_before: str
    grade_after: str
    score_before: int
    score_after: int

    @property
    def score_change(self) -> int:
        return self.score_after - self.score_before

    @property
    def drift(self) -> str:
        """'improved', 'worse' or 'same', judged on the score."""
        if self.score_change > 0:
            return "improved"
        if self.score_change < 0:
            return "worse"
        return "same"


def diff_reports(before: Report, after: Report) -> ReportDiff:
    old = {f.fingerprint: f for f in before.findings}
    new = {f.fingerprint: f for f in after.findings}
    return ReportDiff(
        new=tuple(f for fp, f in new.items() if fp not in old),
        fixed=tuple(f for fp, f in old.items() if fp not in new),
        unchanged=tuple(f for fp, f in new.items() if fp in old),
        grade_before=before.grade,
        grade_after=after.grade,
        score_before=before.score,
        score_after=after.score,
    )
