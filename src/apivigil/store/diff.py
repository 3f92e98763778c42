"""Compare two reports of the same API: what is new, what was fixed, how the grade moved.

Findings are matched by fingerprint (rule, method, path template, parameter; never evidence),
so a finding whose response body changed between runs is still "unchanged".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apivigil.core.errors import UsageError
from apivigil.core.models import Finding, OutcomeStatus, Report


@dataclass(frozen=True)
class ReportDiff:
    """B compared with A (A is the older scan)."""

    new: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    unchanged: tuple[Finding, ...]
    grade_before: str | None  # None: that scan tested nothing
    grade_after: str | None
    score_before: int | None
    score_after: int | None
    # Why the two scans are no before/after of one API (other target, other checks run).
    not_comparable: tuple[str, ...] = ()

    @property
    def score_change(self) -> int:
        if self.score_before is None or self.score_after is None:
            return 0  # such a pair is never comparable (see _differences)
        return self.score_after - self.score_before

    @property
    def drift(self) -> str:
        """'improved', 'worse' or 'same', judged on the score; 'not comparable' when the two
        scans are of different targets or did not complete the same checks."""
        if self.not_comparable:
            return "not comparable"
        if self.score_change > 0:
            return "improved"
        if self.score_change < 0:
            return "worse"
        return "same"

    def to_json(self) -> dict[str, object]:
        """The `apivigil diff --json` document: grades, scores, drift and the three lists."""
        return {"grade_before": self.grade_before, "grade_after": self.grade_after,
                "score_before": self.score_before, "score_after": self.score_after,
                "drift": self.drift, "not_comparable": list(self.not_comparable),
                "new": _rows(self.new), "fixed": _rows(self.fixed),
                "unchanged": _rows(self.unchanged)}

    def to_text(self) -> str:
        """The plain-text `apivigil diff`: the grade move, then each group's findings."""
        lines = [f"Grade {_grade(self.grade_before, self.score_before)} -> "
                 f"{_grade(self.grade_after, self.score_after)}: {self.drift}"
                 + ("" if self.not_comparable else f" ({self.score_change:+d})")]
        lines += [f"  not comparable: {reason}" for reason in self.not_comparable]
        for label, group in (("New", self.new), ("Fixed", self.fixed),
                             ("Unchanged", self.unchanged)):
            lines.append(f"{label} ({len(group)})")
            for f in group:
                place = " ".join(p for p in (f.method, f.path or f.url) if p)
                lines.append(f"  [{f.severity.value.upper()}] {f.id}  {place}  {f.title}")
        return "\n".join(lines)


def _rows(findings: tuple[Finding, ...]) -> list[dict[str, str | None]]:
    return [{"id": f.id, "severity": f.severity.value, "title": f.title, "method": f.method,
             "path": f.path or f.url, "fingerprint": f.fingerprint} for f in findings]


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
        not_comparable=_differences(before, after),
    )


def _grade(grade: str | None, score: int | None) -> str:
    return "not tested" if grade is None else f"{grade} ({score})"


def _differences(before: Report, after: Report) -> tuple[str, ...]:
    """What makes two scans no before/after of the same thing."""
    reasons = []
    if before.target != after.target:
        reasons.append(f"different targets ({before.target} and {after.target})")
    if before.score is None or after.score is None:
        reasons.append("a scan that tested no category has nothing to compare")
    ran_before, ran_after = _completed(before), _completed(after)
    if ran_before != ran_after:
        only_before = sorted(ran_before - ran_after)
        only_after = sorted(ran_after - ran_before)
        parts = [f"{label}: {', '.join(ids[:4])}{' ...' if len(ids) > 4 else ''}"
                 for label, ids in (("only before", only_before), ("only after", only_after))
                 if ids]
        reasons.append(f"different checks completed ({'; '.join(parts)})")
    return tuple(reasons)


def _completed(report: Report) -> set[str]:
    return {o.check for o in report.checks if o.status is OutcomeStatus.COMPLETED}


def reports_to_compare(
    before: str | None, after: str | None, db: str | None
) -> tuple[Report, Report]:
    """Resolve `apivigil diff`'s two arguments: history ids, JSON report files or defaults.

    Without arguments: the two newest stored scans; one missing side is the newest scan.
    """
    from apivigil.store.history import History

    def from_file(value: str) -> Report | None:
        path = Path(value)
        if not path.is_file():
            return None
        try:
            return Report.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError:
            raise UsageError(f"{value} is not an apivigil JSON report") from None

    files = [from_file(v) if v else None for v in (before, after)]
    if files[0] is not None and files[1] is not None:
        return files[0], files[1]
    with History(db) as store:
        if before is None and after is None:
            ids = store.latest_ids(2)
            if len(ids) < 2:
                raise UsageError("diff needs two stored scans (or two report files)")
            return store.report(ids[0]), store.report(ids[1])
        reports = []
        for value, loaded in zip((before, after), files, strict=True):
            if loaded is not None:
                reports.append(loaded)
            elif value is None:
                reports.append(store.report(store.latest_ids(1)[-1]))
            elif value.isdigit():
                reports.append(store.report(int(value)))
            else:
                raise UsageError(f"{value}: neither a scan id from `apivigil history` nor a "
                                 "JSON report file")
        return reports[0], reports[1]
