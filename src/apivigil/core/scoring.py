"""Turn findings into a 0-100 score and an A-F grade, overall and per category.

The score follows distinct problems, not the number of endpoints a problem repeats on: one
missing decorator copied onto 8 endpoints is one problem. Formula (also in the README):

    deduction(finding) = SEVERITY_POINTS[severity] * CONFIDENCE_FACTOR[confidence]
    per rule id, its findings sorted by deduction (largest first) weigh 1, 1/2, 1/4, ...
        so a rule never costs more than twice its worst finding
    low findings together deduct at most LOW_CAP (hygiene never sinks a grade)
    score              = max(0, round(100 - sum of weighted deductions))  # per category, overall
    grade              = A >= 90, B >= 80, C >= 70, D >= 60, F below
    any critical       -> score capped at 69 and grade no better than D

A category scores only when at least one of its checks completed; otherwise it is null
("not tested"), so an untested area never looks clean.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from apivigil.core.models import (
    Category,
    CategoryScore,
    CheckOutcome,
    Confidence,
    Finding,
    Grade,
    OutcomeStatus,
    Severity,
)

SEVERITY_POINTS = {
    Severity.CRITICAL: 40.0,
    Severity.HIGH: 20.0,
    Severity.MEDIUM: 8.0,
    Severity.LOW: 2.0,
    Severity.INFO: 0.0,
}
CONFIDENCE_FACTOR = {Confidence.HIGH: 1.0, Confidence.MEDIUM: 0.75, Confidence.LOW: 0.5}
GRADE_FLOORS = ((Grade.A, 90), (Grade.B, 80), (Grade.C, 70), (Grade.D, 60))
CRITICAL_CAP = 69
REPEAT_WEIGHT = 0.5  # the k-th finding of the same rule (from 0) weighs REPEAT_WEIGHT ** k
LOW_CAP = 10.0


def _deduction(finding: Finding) -> float:
    return SEVERITY_POINTS[finding.severity] * CONFIDENCE_FACTOR[finding.confidence]


def grade_for(score: int) -> Grade:
    for letter, floor in GRADE_FLOORS:
        if score >= floor:
            return letter
    return Grade.F


def weighted_deductions(findings: Iterable[Finding]) -> list[tuple[Finding, float]]:
    """Each finding with its deduction after the same-rule weighting (1, 1/2, 1/4, ...)."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.id].append(finding)
    weighted = []
    for rule in sorted(by_rule):
        ordered = sorted(by_rule[rule], key=_deduction, reverse=True)
        weighted += [(f, _deduction(f) * REPEAT_WEIGHT ** k) for k, f in enumerate(ordered)]
    return weighted


def score_findings(findings: Iterable[Finding]) -> int:
    """Score one set of findings with the formula above."""
    found = list(findings)
    weighted = weighted_deductions(found)
    low = sum(d for f, d in weighted if f.severity is Severity.LOW)
    deduction = sum(d for f, d in weighted if f.severity is not Severity.LOW) + min(low, LOW_CAP)
    score = max(0, round(100 - deduction))
    if any(f.severity is Severity.CRITICAL for f in found):
        score = min(score, CRITICAL_CAP)
    return score


def score_categories(
    findings: list[Finding], outcomes: list[CheckOutcome]
) -> list[CategoryScore]:
    """One entry per category, in the enum's order; untested categories score null."""
    tested = {o.category for o in outcomes if o.status is OutcomeStatus.COMPLETED}
    result = []
    for category in Category:
        mine = [f for f in findings if f.category is category]
        if category in tested or mine:
            score = score_findings(mine)
            result.append(CategoryScore(category=category, score=score, grade=grade_for(score),
                                        findings=len(mine)))
        else:
            result.append(CategoryScore(category=category, score=None, grade=None, findings=0))
    return result
