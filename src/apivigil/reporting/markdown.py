"""The Markdown report, sized for a pull-request comment.

Grade and counts first, then a table of findings (worst first) and, folded in `<details>`, each
finding's evidence and fix. Target-controlled text is escaped (HTML and Markdown punctuation in
prose, and code fences longer than any backtick run inside excerpts), so a response body cannot
inject markup, links or mentions into the comment.
"""

from __future__ import annotations

import re

from apivigil.core.models import (
    CategoryScore,
    CategoryStatus,
    Finding,
    Framework,
    OutcomeStatus,
    Report,
    Severity,
)
from apivigil.reporting import ReportFormat

MAX_DETAILED = 50  # a PR comment must stay readable (and GitHub caps comments at 65536 chars)
_EXCERPT_LINES = 20
_LANGUAGE = {framework: "python" for framework in Framework} | {Framework.EXPRESS: "javascript"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
ICON = {Severity.CRITICAL: "🟥", Severity.HIGH: "🟧", Severity.MEDIUM: "🟨",
        Severity.LOW: "🟦", Severity.INFO: "⬜"}


def render(report: Report) -> str:
    """The whole report as GitHub-flavoured Markdown."""
    counts = report.count_by_severity()
    summary = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s]) or "none"
    seconds = (report.finished_at - report.started_at).total_seconds()
    out = [
        f"## apivigil: grade **{report.grade}** ({report.score}/100)"
        if report.grade is not None else "## apivigil: **not tested** (no category was tested)",
        "",
        f"Target `{_code(report.target)}` · {len(report.findings)} findings ({summary}) · "
        f"{report.requests} requests in {seconds:.1f} s · apivigil {_text(report.version)}",
        "",
        f"**{_text(report.plan_summary())}**",
        "",
    ]
    out += [f"> ⚠️ {_text(notice)}" for notice in report.notices]
    if report.notices:
        out.append("")
    scored = [c for c in report.categories if c.score is not None]
    if scored:
        out += ["| category | grade | score | findings |", "|---|:-:|--:|--:|"]
        out += [f"| {c.category.value} | {c.grade}{_incomplete(c)} | {c.score} | {c.findings} |"
                for c in scored]
        out.append("")
    untested = [c.category.value for c in report.categories if c.score is None]
    if untested:
        out += [f"Not tested: {', '.join(untested)}", ""]
    if report.findings:
        out += ["| severity | rule | where | finding |", "|---|---|---|---|"]
        out += [f"| {ICON[f.severity]} {f.severity.value} | `{f.id}` | {_where(f)} | "
                f"{_text(f.title)} |" for f in report.findings]
        out.append("")
        for finding in report.findings[:MAX_DETAILED]:
            out += _details(finding, report.framework)
        if len(report.findings) > MAX_DETAILED:
            out.append(f"_{len(report.findings) - MAX_DETAILED} more findings: see the full "
                       "report (SARIF or HTML)._")
            out.append("")
    else:
        out += ["No findings. ✅", ""]
    not_run = [o for o in report.checks if o.status is not OutcomeStatus.COMPLETED]
    if not_run:
        out += ["<details><summary>Checks not completed</summary>", ""]
        out += [f"- `{o.check}` {o.status.value}: {_text(o.reason or '')}" for o in not_run]
        out += ["", "</details>", ""]
    return "\n".join(out).rstrip() + "\n"


def _incomplete(category: CategoryScore) -> str:
    return " (incomplete)" if category.status is CategoryStatus.INCOMPLETE else ""


def _details(finding: Finding, framework: Framework | None) -> list[str]:
    cwe = ", ".join(f"CWE-{c}" for c in finding.cwe)
    owasp = ", ".join(o.value for o in finding.owasp)
    lines = [
        f"<details><summary>{ICON[finding.severity]} <code>{_html(finding.id)}</code> "
        f"{_html(finding.title)}</summary>",
        "",
        f"**{finding.severity.value}**, confidence {finding.confidence.value} · {cwe} · {owasp}"
        f" · {_where(finding)}",
        "",
        _text(finding.description),
        "",
    ]
    if finding.evidence.summary != finding.description:
        lines += [f"Evidence: {_text(finding.evidence.summary)}", ""]
    if finding.evidence.curl:
        lines += _fence(finding.evidence.curl, "shell")
    if finding.evidence.response:
        lines += _fence(_excerpt(finding.evidence.response), "http")
    lines += [f"**Fix:** {_text(finding.remediation.summary)}", ""]
    for example in finding.remediation.examples_for(framework):
        lines += [f"{example.framework.label}"
                  + (f" (untested: {_text(example.untested)})" if example.untested else "")
                  + ":", ""]
        lines += _fence(example.code.rstrip(), _LANGUAGE[example.framework])
    lines += ["</details>", ""]
    return lines


def _where(finding: Finding) -> str:
    place = " ".join(p for p in (finding.method, finding.path or finding.url) if p)
    return f"`{_code(place)}`" if place else ""


def _fence(text: str, language: str) -> list[str]:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence, ""]


def _excerpt(text: str) -> str:
    lines = text.splitlines()
    if len(lines) <= _EXCERPT_LINES:
        return text
    return "\n".join(lines[:_EXCERPT_LINES]) + f"\n... ({len(lines) - _EXCERPT_LINES} more lines)"


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _text(text: str) -> str:
    """Prose from the target: one line, no HTML, no Markdown syntax, no @mentions."""
    flat = " ".join(text.split())
    return _MD_SPECIAL.sub(r"\\\1", _html(flat)).replace("@", "@\u200b")


def _code(text: str) -> str:
    """Text inside a single-backtick code span: backticks and pipes cannot end it."""
    return " ".join(text.split()).replace("`", "'").replace("|", "\\|")


FORMAT = ReportFormat("markdown", (".md",), render)
