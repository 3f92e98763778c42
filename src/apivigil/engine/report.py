"""The one report builder of scan and audit: de-duplicate, order, score, and wrap up.

Findings are de-duplicated by fingerprint (the worst severity kept) and sorted in a stable
order (severity, category, rule, path, parameter, fingerprint), so the same scan gives the
same report; outcomes are sorted by check id; the score, grade and per-category scores come
from `core.scoring`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from apivigil import __version__
from apivigil.core.models import (
    REPORT_FORMAT_VERSION,
    CategoryStatus,
    CheckOutcome,
    Finding,
    OperationStatus,
    Report,
)
from apivigil.core.scoring import grade_for, score_categories, score_findings


def build_report(
    *,
    target: str,
    started_at: datetime,
    findings: Iterable[Finding],
    outcomes: Sequence[CheckOutcome],
    operations: Sequence[OperationStatus] = (),
    requests: int = 0,
    notices: Sequence[str] = (),
) -> Report:
    unique = deduplicate(findings)
    ordered_outcomes = sorted(outcomes, key=lambda o: o.check)
    categories = score_categories(unique, ordered_outcomes)
    tested = any(c.status is not CategoryStatus.NOT_TESTED for c in categories)
    score = score_findings(unique) if tested else None
    return Report(
        format_version=REPORT_FORMAT_VERSION,
        tool="apivigil",
        version=__version__,
        target=target,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        score=score,
        grade=None if score is None else grade_for(score),
        categories=categories,
        findings=unique,
        checks=ordered_outcomes,
        operations=list(operations),
        requests=requests,
        notices=list(notices),
    )


def deduplicate(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per fingerprint (the worst kept), in a stable order."""
    best: dict[str, Finding] = {}
    for finding in findings:
        kept = best.get(finding.fingerprint)
        if kept is None or finding.severity.rank > kept.severity.rank:
            best[finding.fingerprint] = finding
    return sorted(best.values(),
                  key=lambda f: (-f.severity.rank, f.category.value, f.id, f.path or "",
                                 f.parameter or "", f.fingerprint))
