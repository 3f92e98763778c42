"""The JUnit XML report, for CI systems that show test results (GitLab, Jenkins, Azure...).

One `<testsuite>` per check; inside it one `<testcase>` per operation of the spec (or, without
a spec, one for the target), named `METHOD /path`. A finding of that check at that operation is
a `<failure>` (type = rule id, message = severity and title; the body holds the evidence and
the fix); a finding at a place that is no spec operation gets a test case of its own. A skipped
check's cases are `<skipped>`, a crashed check's are `<error>`, so "did not run" is never
"passed". Characters that XML 1.0 cannot hold (control bytes from a hostile response) are
replaced, never written.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # builds only; nothing is parsed here
from collections import defaultdict

from apivigil.core.models import CheckOutcome, Finding, Framework, OutcomeStatus, Report
from apivigil.reporting import ReportFormat

_EXCERPT_LINES = 20
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(report: Report) -> str:
    """The whole report as JUnit XML text."""
    root = ET.Element("testsuites", name=f"apivigil {_clean(report.target)}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_check[finding.check].append(finding)
    places = [(op.method, op.path) for op in report.operations] or [("", report.target)]
    for outcome in report.checks:
        suite = _suite(outcome, by_check.get(outcome.check, []), places, report)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{(report.finished_at - report.started_at).total_seconds():.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _suite(
    outcome: CheckOutcome,
    findings: list[Finding],
    places: list[tuple[str, str]],
    report: Report,
) -> ET.Element:
    suite = ET.Element("testsuite", name=outcome.check,
                       timestamp=report.started_at.replace(tzinfo=None).isoformat(
                           timespec="seconds"),
                       time=f"{outcome.duration_s:.3f}")
    grouped: dict[tuple[str, str], list[Finding]] = {place: [] for place in places}
    for finding in findings:
        grouped.setdefault(_place_of(finding, places, report.target), []).append(finding)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for (method, path), found in grouped.items():
        name = f"{method} {path}".strip()
        case = ET.SubElement(suite, "testcase", name=_clean(name),
                             classname=f"apivigil.{outcome.check}", time="0")
        counts["tests"] += 1
        if found:
            worst = max(found, key=lambda f: f.severity.rank)
            failure = ET.SubElement(
                case, "failure", type=worst.id,
                message=_clean(f"[{worst.severity.value.upper()}] {worst.title}"
                               + (f" (+{len(found) - 1} more)" if len(found) > 1 else "")))
            failure.text = _clean("\n\n".join(_details(f, report.framework) for f in found))
            counts["failures"] += 1
        elif outcome.status is OutcomeStatus.SKIPPED:
            ET.SubElement(case, "skipped", message=_clean(outcome.reason or "skipped"))
            counts["skipped"] += 1
        elif outcome.status is OutcomeStatus.ERROR:
            ET.SubElement(case, "error", type="check-error",
                          message=_clean(outcome.reason or "the check failed"))
            counts["errors"] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _place_of(finding: Finding, places: list[tuple[str, str]], target: str) -> tuple[str, str]:
    """The operation a finding belongs to, or its own METHOD and path/URL."""
    for method, path in places:
        if finding.path == path and (finding.method or "") in ("", method):
            return method, path
    if len(places) == 1 and places[0][1] == target:
        return places[0]
    return finding.method or "", finding.path or finding.url or target


def _details(finding: Finding, framework: Framework | None) -> str:
    lines = [
        f"{finding.id} [{finding.severity.value}, confidence {finding.confidence.value}]"
        f" {', '.join(f'CWE-{c}' for c in finding.cwe)}"
        f" {', '.join(o.value for o in finding.owasp)}",
        finding.title,
        finding.description,
        f"Evidence: {finding.evidence.summary}",
    ]
    if finding.evidence.curl:
        lines.append(f"Reproduce: {finding.evidence.curl}")
    if finding.evidence.response:
        excerpt = finding.evidence.response.splitlines()[:_EXCERPT_LINES]
        lines.append("Response:\n  " + "\n  ".join(excerpt))
    lines.append(f"Fix: {finding.remediation.summary}")
    examples = finding.remediation.examples_for(framework)
    if examples:  # the target's framework only: CI logs are read, the other reports list all
        lines.append(f"{examples[0].framework.label}:\n{examples[0].code.rstrip()}")
    return "\n".join(lines)


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


FORMAT = ReportFormat("junit", (".xml",), render)
