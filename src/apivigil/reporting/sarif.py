"""The SARIF 2.1.0 report, ready for GitHub code scanning (`upload-sarif`).

Mapping (after bandit's):

- one `reportingDescriptor` per rule id found (`encryption.hsts-missing`...), carrying the
  check that produced it, its CWE ids as `external/cwe/cwe-N` tags, its OWASP API ids, the fix
  as help text (Markdown, with the Flask snippet) and a numeric `security-severity`
  (critical 9.5, high 8.0, medium 5.5, low 3.0, info 0.0) that GitHub turns into its
  Critical/High/Medium/Low labels;
- `level`: critical and high -> `error`, medium -> `warning`, low and info -> `note`;
  `precision` from the confidence;
- locations: an API has no source file, so each result points at the endpoint, relative to
  the `TARGET` base (`originalUriBaseIds`), plus a logical location `METHOD /path/{template}`;
- `partialFingerprints["apivigil/v1"]` is the finding's stable fingerprint, so code scanning
  tracks one alert across runs;
- a skipped check is a `note` and a failed check an `error` in `toolExecutionNotifications`,
  scan notices are `warning`s there too: "did not run" is never silent.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from apivigil.core.models import (
    CheckOutcome,
    Confidence,
    Finding,
    Framework,
    OutcomeStatus,
    Report,
    Severity,
)
from apivigil.reporting import ReportFormat

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/apivigil/apivigil"
FINGERPRINT_KEY = "apivigil/v1"
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}


def render(report: Report) -> str:
    """The whole SARIF log as JSON text."""
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict (one run)."""
    rules = _rules(report.findings)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "apivigil",
                "semanticVersion": report.version,
                "version": report.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [_invocation(report)],
            "originalUriBaseIds": {"TARGET": {"uri": _base_uri(report.target)}},
            "results": [_result(f, index[f.id]) for f in report.findings],
            "columnKind": "unicodeCodePoints",
            "properties": {"grade": report.grade, "score": report.score,
                           "requests": report.requests, "target": report.target},
        }],
    }


def _rules(findings: list[Finding]) -> list[dict[str, Any]]:
    """One descriptor per rule id, from the worst finding of that rule (findings are sorted)."""
    first: dict[str, Finding] = {}
    for finding in findings:
        kept = first.get(finding.id)
        if kept is None or finding.severity.rank > kept.severity.rank:
            first[finding.id] = finding
    return [_rule(first[rule_id]) for rule_id in sorted(first)]


def _rule(finding: Finding) -> dict[str, Any]:
    tags = ["security", finding.category.value,
            *(f"external/cwe/cwe-{c}" for c in finding.cwe),
            *(f"owasp-api/{o.value}" for o in finding.owasp)]
    help_md = f"**Fix:** {finding.remediation.summary}"
    for example in finding.remediation.examples:
        language = "javascript" if example.framework is Framework.EXPRESS else "python"
        help_md += (f"\n\nIn {example.framework.label}:\n\n"
                    f"```{language}\n{example.code.rstrip()}\n```")
    if finding.remediation.references:
        help_md += "\n\n" + "\n".join(f"- {ref}" for ref in finding.remediation.references)
    rule: dict[str, Any] = {
        "id": finding.id,
        "name": _pascal(finding.id),
        "shortDescription": {"text": _sentence(finding.title)},
        "fullDescription": {"text": _sentence(finding.description)},
        "help": {"text": _sentence(f"Fix: {finding.remediation.summary}"), "markdown": help_md},
        "defaultConfiguration": {"level": LEVEL[finding.severity]},
        "properties": {
            "check": finding.check,
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "precision": PRECISION[finding.confidence],
            "cwe": [f"CWE-{c}" for c in finding.cwe],
            "owasp": [o.value for o in finding.owasp],
        },
    }
    if finding.remediation.references:
        rule["helpUri"] = finding.remediation.references[0]
    return rule


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    place = " ".join(p for p in (finding.method, finding.path or _path_of(finding.url)) if p)
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": _relative_uri(finding),
                                                  "uriBaseId": "TARGET"}},
    }
    if place:
        location["logicalLocations"] = [{"name": place, "kind": "resource"}]
    text = _sentence(f"{finding.title}: {finding.evidence.summary}")
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "evidence": {k: v for k, v in finding.evidence.model_dump().items()
                         if v not in (None, {}, "")},
        },
    }
    if finding.url:
        result["properties"]["url"] = finding.url
    if finding.parameter:
        result["properties"]["parameter"] = finding.parameter
    return result


def _invocation(report: Report) -> dict[str, Any]:
    notifications = [_outcome_notification(o) for o in report.checks
                     if o.status is not OutcomeStatus.COMPLETED]
    notifications += [{"level": "warning", "message": {"text": _sentence(notice)}}
                      for notice in report.notices]
    return {
        "executionSuccessful": True,
        "startTimeUtc": _utc(report.started_at.isoformat()),
        "endTimeUtc": _utc(report.finished_at.isoformat()),
        "toolExecutionNotifications": notifications,
    }


def _outcome_notification(outcome: CheckOutcome) -> dict[str, Any]:
    skipped = outcome.status is OutcomeStatus.SKIPPED
    verb = "skipped" if skipped else "failed"
    return {
        "level": "note" if skipped else "error",
        "message": {"text": _sentence(f"Check {outcome.check} {verb}: "
                                      f"{outcome.reason or 'no reason given'}")},
        "descriptor": {"id": outcome.check},
        "properties": {"status": outcome.status.value, "category": outcome.category.value},
    }


def _relative_uri(finding: Finding) -> str:
    """The endpoint as a URI relative to the target base (no leading slash), or '.'."""
    path = finding.path or _path_of(finding.url)
    relative = path.lstrip("/")
    # Path templates contain braces; percent-encode what a URI may not hold.
    for raw, encoded in (("{", "%7B"), ("}", "%7D"), (" ", "%20")):
        relative = relative.replace(raw, encoded)
    return relative or "."


def _path_of(url: str | None) -> str:
    return urlsplit(url).path if url else ""


def _base_uri(target: str) -> str:
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.netloc}/"


def _utc(stamp: str) -> str:
    return stamp.replace("+00:00", "Z")


def _pascal(rule_id: str) -> str:
    words = rule_id.replace(".", "-").replace("_", "-").split("-")
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def _sentence(text: str) -> str:
    """SARIF messages should be complete sentences (Multitool rule SARIF2001)."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


FORMAT = ReportFormat("sarif", (".sarif", ".sarif.json"), render)
