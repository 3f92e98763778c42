"""Compare two reports of the same API: what is new, what was fixed, how the grade moved.

Findings are matched by fingerprint (rule, method, path template, parameter; never evidence),
so a finding whose response body changed between runs is still "unchanged".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apivigil.core.errors import UsageError
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

    def to_json(self) -> dict[str, object]:
        """The `apivigil diff --json` document: grades, scores, drift and the three lists."""
        return {"grade_before": self.grade_before, "grade_after": self.grade_after,
                "score_before": self.score_before, "score_after": self.score_after,
                "drift": self.drift, "new": _rows(self.new), "fixed": _rows(self.fixed),
                "unchanged": _rows(self.unchanged)}

    def to_text(self) -> str:
        """The plain-text `apivigil diff`: the grade move, then each group's findings."""
        lines = [f"Grade {self.grade_before} ({self.score_before}) -> {self.grade_after} "
                 f"({self.score_after}): {self.drift} ({self.score_change:+d})"]
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
    )


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
