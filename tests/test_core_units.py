"""Pure units of the core: scoring formula and redaction (no I/O, so no servers needed)."""

from __future__ import annotations

from apivigil.core.models import (
    Category,
    Confidence,
    Evidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.core.redaction import Redactor
from apivigil.core.scoring import grade_for, score_findings


def finding(
    severity: Severity, confidence: Confidence = Confidence.HIGH, rule: str = "x"
) -> Finding:
    return Finding(id=f"encryption.{rule}", check="encryption.x", title="t", severity=severity,
                   confidence=confidence, category=Category.ENCRYPTION, owasp=(Owasp.API8,),
                   cwe=(319,), description="d", evidence=Evidence(summary="s"),
                   remediation=Remediation(summary="r"))


def test_clean_scan_is_a():
    assert score_findings([]) == 100
    assert grade_for(100) == "A"


def test_lows_barely_move_the_score():
    assert grade_for(score_findings([finding(Severity.LOW)] * 3)) == "A"


def test_one_critical_caps_at_d():
    score = score_findings([finding(Severity.CRITICAL, Confidence.LOW)])
    assert score == 69
    assert grade_for(score) == "D"


def test_confidence_scales_deduction():
    assert score_findings([finding(Severity.HIGH, Confidence.MEDIUM)]) == 85
    assert score_findings([finding(Severity.HIGH)]) == 80


def test_score_never_negative():
    distinct = [finding(Severity.CRITICAL, rule=f"r{i}") for i in range(5)]
    assert score_findings(distinct) == 0
    assert grade_for(0) == "F"


def test_one_rule_repeated_on_many_endpoints_does_not_sink_the_grade():
    # One missing decorator on 8 endpoints: 8 x (1 + 1/2 + 1/4 + ...) < 16, not 64.
    repeated = [finding(Severity.MEDIUM, rule="missing-auth")] * 8
    assert score_findings(repeated) == 84
    assert score_findings([finding(Severity.MEDIUM, rule=f"r{i}") for i in range(8)]) == 36


def test_lows_together_deduct_at_most_ten():
    lows = [finding(Severity.LOW, rule=f"r{i}") for i in range(20)]
    assert score_findings(lows) == 90


def test_readme_worked_example():
    """The example in README.md's Scoring section, number for number."""
    findings = [finding(Severity.HIGH, rule="sql"),
                finding(Severity.HIGH, rule="bola"), finding(Severity.HIGH, rule="bola"),
                finding(Severity.MEDIUM, Confidence.MEDIUM, rule="users"),
                *[finding(Severity.LOW, rule=f"low{i}") for i in range(7)]]
    # 20 + (20 + 10) + 6 + min(14, 10) = 66 -> 34
    assert score_findings(findings) == 34
    assert score_findings([finding(Severity.HIGH, rule="sql"),
                           *[finding(Severity.LOW, rule=f"low{i}") for i in range(7)]]) == 70


def test_fingerprint_ignores_evidence():
    a = finding(Severity.HIGH)
    b = a.model_copy(update={"evidence": Evidence(summary="other")})
    assert a.fingerprint == Finding.model_validate(b.model_dump() | {"fingerprint": ""}).fingerprint


def test_fingerprint_is_computed_by_the_model_and_a_stored_one_is_kept():
    a = finding(Severity.HIGH)
    assert len(a.fingerprint) == 32
    elsewhere = Finding.model_validate(a.model_dump() | {"fingerprint": "", "path": "/other"})
    assert elsewhere.fingerprint != a.fingerprint  # the place is part of the identity
    stored = Finding.model_validate_json(a.model_copy(update={"fingerprint": "old"})
                                         .model_dump_json())
    assert stored.fingerprint == "old"  # a report from an older version keeps its ids


def test_grades_are_typed():
    from apivigil.core.models import Grade

    assert grade_for(85) is Grade.B
    assert [grade_for(s) for s in (95, 75, 65, 10)] == [Grade.A, Grade.C, Grade.D, Grade.F]


def test_redactor_masks_every_encoding():
    redactor = Redactor()
    redactor.add_basic_credential("alice", "pa55word!")
    text = "pw=pa55word! hdr=Basic YWxpY2U6cGE1NXdvcmQh pair=alice:pa55word!"
    masked = redactor.text(text)
    assert "pa55word!" not in masked
    assert "YWxpY2U6cGE1NXdvcmQh" not in masked
    assert redactor.header_value("Authorization", "Basic abc") == "Basic [REDACTED]"
    assert redactor.header_value("Cookie", "session=1") == "[REDACTED]"
