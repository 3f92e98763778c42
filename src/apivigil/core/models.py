"""The data apivigil produces: findings, evidence, check outcomes and the report.

Everything here is plain, immutable data (pydantic models, frozen) with no I/O, so every layer
can import it and every report writer can serialise it the same way.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

REPORT_FORMAT_VERSION = "1.0"  # of the JSON report; bump on an incompatible change


class Severity(StrEnum):
    """How bad a finding is if exploited; ordered from worst to least."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info, so severities compare numerically."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Confidence(StrEnum):
    """How sure the check is that the finding is real (bandit's second axis)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Category(StrEnum):
    """The twelve areas of an API assessment; every check belongs to exactly one."""

    AUTHENTICATION = "authentication"
    BOLA = "bola"
    BFLA = "bfla"
    PROPERTY_AUTHORIZATION = "property_authorization"
    INPUT_VALIDATION = "input_validation"
    RATE_LIMITING = "rate_limiting"
    DATA_EXPOSURE = "data_exposure"
    ENCRYPTION = "encryption"
    SSRF = "ssrf"
    INVENTORY = "inventory"
    UNSAFE_CONSUMPTION = "unsafe_consumption"
    LLM_SECURITY = "llm_security"


class Owasp(StrEnum):
    """OWASP API Security Top 10 (2023) identifiers."""

    API1 = "API1:2023"  # Broken Object Level Authorization
    API2 = "API2:2023"  # Broken Authentication
    API3 = "API3:2023"  # Broken Object Property Level Authorization
    API4 = "API4:2023"  # Unrestricted Resource Consumption
    API5 = "API5:2023"  # Broken Function Level Authorization
    API6 = "API6:2023"  # Unrestricted Access to Sensitive Business Flows
    API7 = "API7:2023"  # Server Side Request Forgery
    API8 = "API8:2023"  # Security Misconfiguration
    API9 = "API9:2023"  # Improper Inventory Management
    API10 = "API10:2023"  # Unsafe Consumption of APIs


class _Frozen(BaseModel):
    # The validators are built on first use, not at import: start-up time (issue 17).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Evidence(_Frozen):
    """The exchange that proves a finding, already redacted when it is created."""

    summary: str = Field(description="One or two sentences: what was sent and what came back.")
    request: str | None = Field(default=None, description="Redacted request excerpt.")
    response: str | None = Field(default=None, description="Redacted response excerpt.")
    curl: str | None = Field(default=None, description="A curl line that reproduces it.")
    data: dict[str, str | int | float | bool | list[str] | None] = Field(
        default_factory=dict, description="Measured facts (medians, counts, versions...)."
    )


class Framework(StrEnum):
    """A web framework a code example is written for."""

    FLASK = "flask"
    FASTAPI = "fastapi"
    DJANGO = "django"
    EXPRESS = "express"

    @property
    def label(self) -> str:
        """The name as people write it, for report headings."""
        return _FRAMEWORK_LABEL[self]


_FRAMEWORK_LABEL = {
    Framework.FLASK: "Flask",
    Framework.FASTAPI: "FastAPI",
    Framework.DJANGO: "Django",
    Framework.EXPRESS: "Express",
}

class CodeExample(_Frozen):
    """The fix written for one framework: the code a user can copy."""

    framework: Framework
    code: str = Field(description="The code or configuration, exactly as tested.")
    untested: str | None = Field(
        default=None,
        description="Why no test scans an app built from this code; null when one does.",
    )


class Remediation(_Frozen):
    """What to do about a finding: in general, and as code for each framework."""

    summary: str
    examples: tuple[CodeExample, ...] = Field(
        default=(), description="The fix as code, at most one per framework."
    )
    references: tuple[str, ...] = ()

    def examples_for(self, framework: Framework | None) -> tuple[CodeExample, ...]:
        """The examples with the target's framework first, the others in their order."""
        return tuple(sorted(self.examples, key=lambda example: example.framework != framework))


class Finding(_Frozen):
    """One weakness at one place. `fingerprint` is stable across runs (no volatile values)."""

    id: str = Field(description="Stable rule id, e.g. 'encryption.hsts-missing'.")
    check: str = Field(description="Id of the check that produced it.")
    title: str
    severity: Severity
    confidence: Confidence
    category: Category
    owasp: tuple[Owasp, ...]
    cwe: tuple[int, ...]
    method: str | None = None
    url: str | None = None
    path: str | None = Field(default=None, description="Path template, e.g. /users/{id}.")
    parameter: str | None = None
    description: str
    evidence: Evidence
    remediation: Remediation
    fingerprint: str = Field(default="", description="Stable identity of the finding: a hash "
                             "of rule id, method, path (or host) and parameter.")

    @model_validator(mode="before")
    @classmethod
    def _fingerprinted(cls, data: Any) -> Any:
        """Compute the fingerprint from the identity fields unless one is given (stored
        reports keep theirs, so a baseline made by an older version still matches)."""
        if isinstance(data, dict) and not data.get("fingerprint"):
            data = {**data, "fingerprint": fingerprint_of(
                str(data.get("id", "")), data.get("method"), data.get("url"), data.get("path"),
                data.get("parameter"))}
        return data


def fingerprint_of(rule: str, method: str | None, url: str | None, path: str | None,
                   parameter: str | None) -> str:
    """Hash a finding's identity: rule, place and parameter, never the evidence."""
    place = path or _host_of(url)
    parts = [rule, method or "", place, parameter or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _host_of(url: str | None) -> str:
    if not url:
        return ""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0]


class OutcomeStatus(StrEnum):
    """A check finished, was not run, could not reach a verdict, or crashed; never confused.

    `inconclusive`: the target throttled or locked out requests the check needed (429, 423,
    503 with Retry-After), so "no finding" from it means nothing; findings it made before
    that are still real.
    """

    COMPLETED = "completed"
    INCONCLUSIVE = "inconclusive"
    SKIPPED = "skipped"
    ERROR = "error"


class CheckOutcome(_Frozen):
    check: str
    category: Category
    status: OutcomeStatus
    reason: str | None = Field(
        default=None, description="Why it was skipped, what failed, or what made it inconclusive.")
    findings: int = 0
    requests: int = 0
    duration_s: float = 0.0
    informational: bool = Field(
        default=False, description="The check reports info only: completing it alone does not "
                                   "make its category tested.")


class CategoryStatus(StrEnum):
    """Whether a category was tested: a grade is shown only for tested or incomplete ones."""

    TESTED = "tested"
    INCOMPLETE = "incomplete"  # some of its checks were inconclusive or failed
    NOT_TESTED = "not_tested"


class Grade(StrEnum):
    """The letter grade of a score (`core.scoring.grade_for`)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    F = "F"


class CategoryScore(_Frozen):
    category: Category
    score: int | None = Field(description="0-100, or null when the category was not tested.")
    grade: Grade | None
    findings: int
    status: CategoryStatus = Field(
        default=CategoryStatus.TESTED,
        description="tested; incomplete (some checks inconclusive or failed: the grade is an "
                    "upper bound); not_tested (no check of it completed a test).")


class OperationState(StrEnum):
    """What happened to one spec operation in a scan."""

    EXERCISED = "exercised"
    SKIPPED = "skipped"
    EXCLUDED = "excluded"  # --exclude


class OperationStatus(_Frozen):
    """Whether a spec operation was exercised, and why not if it was skipped; what was tried
    on it (the checks that sent it requests) and what was not, and why."""

    method: str
    path: str
    status: OperationState = Field(
        description="'exercised', 'skipped' or 'excluded' (--exclude).")
    reason: str | None = None
    http_status: int | None = None
    requests: int = Field(default=0, description="Requests the scan sent to this operation.")
    tried: list[str] = Field(default_factory=list,
                             description="Ids of the checks that sent it requests.")
    not_tried: list[str] = Field(default_factory=list,
                                 description="What was not tried on it, and why.")


class Report(_Frozen):
    """The immutable result of one scan, what every report writer renders."""

    format_version: str
    tool: str
    version: str
    target: str
    started_at: datetime
    finished_at: datetime
    score: int | None = Field(
        description="0-100, or null when no category was tested: nothing tested is no all-clear.")
    grade: Grade | None
    categories: list[CategoryScore]
    findings: list[Finding]
    checks: list[CheckOutcome]
    operations: list[OperationStatus] = Field(default_factory=list)
    requests: int
    notices: list[str] = Field(default_factory=list)
    framework: Framework | None = Field(
        default=None,
        description="The web framework the target appears to run (its code examples come first).",
    )

    def count_by_severity(self) -> dict[Severity, int]:
        counts = dict.fromkeys(Severity, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def verdict(self) -> str:
        """'grade A (97/100)', or 'not tested' when no category was tested -- the words every
        writer uses, so a scan that tested nothing never reads as a grade."""
        if self.grade is None or self.score is None:
            return "not tested: no category was tested"
        return f"grade {self.grade} ({self.score}/100)"

    def plan_summary(self) -> str:
        """How much of the plan ran, e.g. '38 of 42 checks completed; 4 inconclusive:
        throttled; 2 skipped' -- the line every writer shows under the grade."""
        counts = dict.fromkeys(OutcomeStatus, 0)
        for outcome in self.checks:
            counts[outcome.status] += 1
        parts = [f"{counts[OutcomeStatus.COMPLETED]} of {len(self.checks)} checks completed"]
        if counts[OutcomeStatus.INCONCLUSIVE]:
            causes = sorted({_cause(o.reason) for o in self.checks
                             if o.status is OutcomeStatus.INCONCLUSIVE})
            parts.append(f"{counts[OutcomeStatus.INCONCLUSIVE]} inconclusive: "
                         f"{', '.join(causes)}")
        if counts[OutcomeStatus.ERROR]:
            parts.append(f"{counts[OutcomeStatus.ERROR]} failed")
        if counts[OutcomeStatus.SKIPPED]:
            parts.append(f"{counts[OutcomeStatus.SKIPPED]} skipped")
        return "; ".join(parts)

    def worst_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


def _cause(reason: str | None) -> str:
    """'throttled' from 'throttled: 429 Too Many Requests on GET /x'; 'no verdict' otherwise."""
    cause, sep, _ = (reason or "").partition(":")
    return cause if sep and len(cause) <= 20 else "no verdict"
