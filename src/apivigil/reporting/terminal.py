"""The terminal report: grade first, then findings by severity with evidence and fix.

Compact by default, so a whole scan fits a screen or two: a one-line-per-finding summary,
then each finding with its evidence in short (request line, status, a few body lines), the
curl line and the fix, with code for critical and high findings (the target's framework
first). `--verbose` shows the full exchanges, the code of every framework for every finding and
every check's outcome.

Code is printed outside the finding's box and never wrapped (long lines overflow), so what a
user copies from the terminal is the example exactly, valid code at any width.

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

from apivigil.core.models import (
    CategoryStatus,
    CodeExample,
    Finding,
    Framework,
    OperationState,
    OutcomeStatus,
    Report,
    Severity,
)
from apivigil.reporting import ReportFormat

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
GRADE_STYLE = {"A": "bold green", "B": "green", "C": "yellow", "D": "bold red", "F": "bold red"}
_EXCERPT_LINES = 12
_SHORT_EXCERPT_LINES = 4
_CODE_BY_DEFAULT = frozenset({Severity.CRITICAL, Severity.HIGH})


def render(report: Report, console: Console, *, verbose: bool = False) -> None:
    """Print the whole report to `console`."""
    console.print(_headline(report))
    for notice in report.notices:
        console.print(Text(f"! {notice}", style="yellow"))
    console.print(_categories(report))
    code_shown: dict[str, str] = {}  # example code -> the rule it was first shown for
    if not report.findings:
        console.print(Text("No findings.", style="green"))
    else:
        console.print(_summary(report))
    for severity in Severity:
        group = [f for f in report.findings if f.severity is severity]
        if not group:
            continue
        console.rule(Text(f"{severity.value.upper()} ({len(group)})",
                          style=SEVERITY_STYLE[severity]))
        for finding in group:
            console.print(_finding(finding, verbose=verbose))
            _print_examples(console, finding, report.framework, verbose=verbose,
                            code_shown=code_shown)
    console.print(_outcomes(report, verbose=verbose))
    if verbose and report.operations:
        console.print(_operations(report))


def _operations(report: Report) -> Table:
    """With -v: each operation, the requests it got, the checks that tried it, and what was
    not tried and why."""
    table = Table(title="Operations", show_edge=False, box=None, padding=(0, 1))
    table.add_column("operation", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("requests", justify="right")
    table.add_column("tried by / not tried", overflow="fold")
    for op in report.operations:
        notes = [f"tried by {len(op.tried)} check(s): {', '.join(op.tried)}"] if op.tried else []
        notes += [f"not tried: {why}" for why in op.not_tried]
        if not notes and op.reason:
            notes.append(op.reason)
        table.add_row(f"{op.method} {op.path}", op.status, str(op.requests),
                      escape("\n".join(notes)))
    return table


def _headline(report: Report) -> Panel:
    counts = report.count_by_severity()
    summary = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])
    verdict = (("Grade ", "bold"), (report.grade, GRADE_STYLE.get(report.grade, "bold")),
               (f"  score {report.score}/100\n", "bold")) if report.grade is not None else (
        ("Grade ", "bold"), ("not tested", "bold yellow"), ("  no category was tested\n", "bold"))
    body = Text.assemble(
        *verdict,
        f"Target   {report.target}\n",
        f"Findings {len(report.findings)}" + (f" ({summary})" if summary else "") + "\n",
        f"Requests {report.requests} in "
        f"{(report.finished_at - report.started_at).total_seconds():.1f} s\n",
        (f"Checks   {report.plan_summary()}", _plan_style(report)),
    )
    return Panel(body, title=f"apivigil {report.version}", expand=False)


def _plan_style(report: Report) -> str:
    unfinished = (OutcomeStatus.INCONCLUSIVE, OutcomeStatus.ERROR)
    return "bold yellow" if any(o.status in unfinished for o in report.checks) else ""


def _categories(report: Report) -> Table:
    table = Table(title="Categories", show_edge=False, box=None, padding=(0, 2))
    table.add_column("category")
    table.add_column("grade")
    table.add_column("score", justify="right")
    table.add_column("findings", justify="right")
    for cat in report.categories:
        if cat.score is None:
            table.add_row(cat.category.value, Text("-", "dim"), Text("not tested", "dim"), "")
            continue
        grade = cat.grade or "-"
        label = Text(grade, GRADE_STYLE.get(grade, ""))
        if cat.status is CategoryStatus.INCOMPLETE:
            label.append(" incomplete", "yellow")
        table.add_row(cat.category.value, label, str(cat.score), str(cat.findings))
    return table


def _summary(report: Report) -> Table:
    table = Table(title="Findings", show_edge=False, box=None, padding=(0, 1))
    table.add_column("severity", no_wrap=True)
    table.add_column("finding", ratio=3)
    table.add_column("where", ratio=2, overflow="fold")
    for finding in report.findings:
        where = finding.path or ("(whole host)" if finding.url else "")
        table.add_row(Text(finding.severity.value.upper(), SEVERITY_STYLE[finding.severity]),
                      finding.title, where)
    return table


def _place(finding: Finding) -> str:
    return " ".join(p for p in (finding.method, finding.path or finding.url) if p)


def _finding(finding: Finding, *, verbose: bool) -> Panel:
    place = _place(finding)
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
    if finding.evidence.request:
        lines.append(Text("Request:\n" + _excerpt(finding.evidence.request, True), style="dim"))
    if finding.evidence.response:
        lines.append(Text("Response:\n" + _excerpt(finding.evidence.response, verbose),
                          style="dim"))
    if finding.evidence.curl:
        lines.append(Text(f"Reproduce: {finding.evidence.curl}"))
    lines.append(Text(f"Fix: {finding.remediation.summary}", style="green"))
    examples = finding.remediation.examples
    if examples and not (verbose or finding.severity in _CODE_BY_DEFAULT):
        names = ", ".join(example.framework.label for example in examples)
        lines.append(Text(f"Code for this fix ({names}): run with --verbose", style="dim"))
    return Panel(Group(*[line for line in lines if line]), expand=True)


def _print_examples(console: Console, finding: Finding, framework: Framework | None, *,
                    verbose: bool, code_shown: dict[str, str]) -> None:
    """The fix's code under the finding's box: the target's framework first, the others with
    --verbose; code already shown for another rule is named, not repeated."""
    if not (verbose or finding.severity in _CODE_BY_DEFAULT):
        return
    examples = finding.remediation.examples_for(framework)
    shown = examples if verbose else examples[:1]
    for example in shown:
        if example.code in code_shown:
            console.print(Text(f"{example.framework.label}: the same code as for "
                               f"{code_shown[example.code]} above", style="green"))
            continue
        code_shown[example.code] = finding.id
        console.print(Text(_example_heading(example), style="green"))
        console.print(Text(example.code.rstrip(), no_wrap=True, overflow="ignore"),
                      soft_wrap=True)
    others = [example.framework.label for example in examples[len(shown):]]
    if others:
        console.print(Text(f"Also for {', '.join(others)}: run with --verbose", style="dim"))


def _example_heading(example: CodeExample) -> str:
    tested = ("tested: apivigil scans an app built from this code" if example.untested is None
              else f"untested: {example.untested}")
    return f"--- {example.framework.label} ({tested}) ---"


def _excerpt(text: str, full: bool) -> str:
    """Full: up to 12 lines (requests are short, and always shown so). Short: the status line
    and the first lines of the body, without the header block."""
    lines = text.splitlines()
    if full:
        shown = lines[:_EXCERPT_LINES]
    else:
        blank = lines.index("") if "" in lines else len(lines)
        body = [line for line in lines[blank + 1:] if line.strip()]
        shown = lines[:1] + body[:_SHORT_EXCERPT_LINES - 1]
    more = len(lines) - len(shown)
    text = "  " + "\n  ".join(_short(line, 160) for line in shown)
    return text + (f"\n  ... ({more} more lines{'' if full else '; -v shows them'})"
                   if more > 0 else "")


def _short(value: object, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _outcomes(report: Report, *, verbose: bool) -> Table:
    """Every check with -v; by default only the ones that did not complete, and a count."""
    completed = sum(o.status is OutcomeStatus.COMPLETED for o in report.checks)
    table = Table(title=f"Checks: {completed} of {len(report.checks)} completed",
                  show_edge=False, box=None, padding=(0, 1))
    table.add_column("check", no_wrap=True)
    table.add_column("status", no_wrap=True)
    if verbose:
        table.add_column("findings", justify="right")
        table.add_column("requests", justify="right")
    table.add_column("note", overflow="fold")
    for outcome in report.checks:
        if not verbose and outcome.status is OutcomeStatus.COMPLETED:
            continue
        style = {"completed": "", "skipped": "dim", "inconclusive": "yellow",
                 "error": "red"}[outcome.status.value]
        counts = [str(outcome.findings), str(outcome.requests)] if verbose else []
        table.add_row(outcome.check, Text(outcome.status.value, style=style), *counts,
                      escape(outcome.reason or ""))
    skipped_ops = [o for o in report.operations if o.status is not OperationState.EXERCISED]
    if report.operations:
        table.caption = (f"{len(report.operations) - len(skipped_ops)} of "
                         f"{len(report.operations)} spec operations exercised")
    if any(o.status is OutcomeStatus.ERROR for o in report.checks):
        table.title = f"{table.title} (some failed: see note)"
    return table


def render_text(report: Report, *, verbose: bool = False, width: int = 120) -> str:
    """The terminal report as plain text (no colour codes), for `-o report.txt`."""
    import io

    console = Console(record=True, width=width, file=io.StringIO(), no_color=True)
    render(report, console, verbose=verbose)
    return console.export_text()


def _render_text_verbose(report: Report) -> str:
    return render_text(report, verbose=True)


FORMAT = ReportFormat("terminal", (".txt",), render_text, _render_text_verbose)
