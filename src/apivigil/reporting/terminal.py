"""The terminal report: grade first, then findings by severity with evidence and fix.

Every piece of information is in the text itself (labels such as `[CRITICAL]`), so the report
reads the same without colour (NO_COLOR, pipes, CI logs). Target-controlled text is printed as
plain text, never interpreted as rich markup.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from apivigil.core.models import Finding, OutcomeStatus, Report, Severity

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
GRADE_STYLE = {"A": "bold green", "B": "green", "C": "yellow", "D": "bold red", "F": "bold red"}
_EXCERPT_LINES = 12


def render(report: Report, console: Console, *, verbose: bool = False) -> None:
    """Print the whole report to `console`."""
    console.print(_headline(report))
    for notice in report.notices:
        console.print(Text(f"! {notice}", style="yellow"))
    console.print(_categories(report))
    if not report.findings:
        console.print(Text("No findings.", style="green"))
    for severity in Severity:
        group = [f for f in report.findings if f.severity is severity]
        if not group:
            continue
        console.rule(Text(f"{severity.value.upper()} ({len(group)})",
                          style=SEVERITY_STYLE[severity]))
        for finding in group:
            console.print(_finding(finding, verbose=verbose))
    console.print(_outcomes(report))


def _headline(report: Report) -> Panel:
    counts = report.count_by_severity()
    summary = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])
    body = Text.assemble(
        ("Grade ", "bold"),
        (report.grade, GRADE_STYLE.get(report.grade, "bold")),
        (f"  score {report.score}/100\n", "bold"),
        f"Target   {report.target}\n",
        f"Findings {len(report.findings)}" + (f" ({summary})" if summary else "") + "\n",
        f"Requests {report.requests} in "
        f"{(report.finished_at - report.started_at).total_seconds():.1f} s",
    )
    return Panel(body, title=f"apivigil {report.version}", expand=False)


def _categories(report: Report) -> Table:
    table = Table(title="Categories", show_edge=False, box=None, padding=(0, 2))
    table.add_column("category")
    table.add_column("grade")
    table.add_column("score", justify="right")
    table.add_column("findings", justify="right")
    for cat in report.categories:
        if cat.score is None:
            continue
        grade = cat.grade or "-"
        table.add_row(cat.category.value, Text(grade, GRADE_STYLE.get(grade, "")),
                      str(cat.score), str(cat.findings))
    return table


def _finding(finding: Finding, *, verbose: bool) -> Panel:
    place = " ".join(p for p in (finding.method, finding.path or finding.url) if p)
    lines: list[Text | str] = [
        Text.assemble((f"[{finding.severity.value.upper()}] ", SEVERITY_STYLE[finding.severity]),
                      (finding.title, "bold")),
        Text(f"{finding.id}  confidence {finding.confidence.value}  "
             f"{', '.join(o.value for o in finding.owasp)}  "
             f"{', '.join(f'CWE-{c}' for c in finding.cwe)}", style="dim"),
        Text(f"Where: {place}") if place else "",
        Text(finding.description),
        Text(f"Evidence: {finding.evidence.summary}")
        if finding.evidence.summary != finding.description else "",
    ]
    if finding.evidence.data:
        facts = "; ".join(f"{k}={_short(v)}" for k, v in finding.evidence.data.items())
        lines.append(Text(f"Measured: {facts}", style="dim"))
    for label, excerpt in (("Request", finding.evidence.request),
                           ("Response", finding.evidence.response)):
        if excerpt:
            lines.append(Text(f"{label}:\n" + _excerpt(excerpt, verbose), style="dim"))
    if finding.evidence.curl:
        lines.append(Text(f"Reproduce: {finding.evidence.curl}"))
    lines.append(Text(f"Fix: {finding.remediation.summary}", style="green"))
    if finding.remediation.flask:
        lines.append(Text("Flask:\n" + finding.remediation.flask.rstrip(), style="green"))
    return Panel(Group(*[line for line in lines if line]), expand=True)


def _excerpt(text: str, verbose: bool) -> str:
    lines = text.splitlines()
    if verbose or len(lines) <= _EXCERPT_LINES:
        return "  " + "\n  ".join(lines)
    more = len(lines) - _EXCERPT_LINES
    return "  " + "\n  ".join(lines[:_EXCERPT_LINES]) + f"\n  ... ({more} more lines)"


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _outcomes(report: Report) -> Table:
    table = Table(title="Checks", show_edge=False, box=None, padding=(0, 2))
    for column in ("check", "status", "findings", "requests", "note"):
        table.add_column(column)
    for outcome in report.checks:
        style = {"completed": "", "skipped": "dim", "error": "red"}[outcome.status.value]
        table.add_row(outcome.check, Text(outcome.status.value, style=style), str(outcome.findings),
                      str(outcome.requests), escape(outcome.reason or ""))
    skipped_ops = [o for o in report.operations if o.status != "exercised"]
    if report.operations:
        table.caption = (f"{len(report.operations) - len(skipped_ops)} of "
                         f"{len(report.operations)} spec operations exercised")
    if any(o.status is OutcomeStatus.ERROR for o in report.checks):
        table.title = "Checks (some failed: see note)"
    return table


def render_text(report: Report, *, verbose: bool = False, width: int = 120) -> str:
    """The terminal report as plain text (no colour codes), for `-o report.txt`."""
    import io

    console = Console(record=True, width=width, file=io.StringIO(), no_color=True)
    render(report, console, verbose=verbose)
    return console.export_text()
