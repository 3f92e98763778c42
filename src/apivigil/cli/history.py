"""`apivigil history` and `apivigil diff`: the stored scans, and what changed between two."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from apivigil.cli.app import app
from apivigil.cli.errors import err_console, errors_to_exit_codes
from apivigil.cli.options import ConfigOpt, DbOpt
from apivigil.core.models import Severity


@app.command("history")
def history_command(
    db: DbOpt = None,
    target: Annotated[str | None, typer.Option(help="Only scans of this target URL.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many scans, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")]
    = False,
    config: ConfigOpt = None,
) -> None:
    """List stored scans, newest first: id, time, target, grade, score and counts."""
    from rich.console import Console
    from rich.table import Table

    from apivigil.store.history import History

    with errors_to_exit_codes(), History(db) as store:
        scans = store.scans(target=target, limit=limit)
    if as_json:
        for summary in scans:
            print(json.dumps(summary.to_json()))
        return
    if not scans:
        err_console.print("No stored scans yet: run `apivigil scan URL`.", markup=False)
        return
    table = Table(show_edge=False, box=None, padding=(0, 1))
    for column in ("id", "started (UTC)", "target", "grade", "score", "crit", "high", "med",
                   "low", "info", "requests"):
        table.add_column(column, overflow="fold")
    for summary in scans:
        table.add_row(str(summary.id), summary.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                      summary.target, summary.grade or "-",
                      "-" if summary.score is None else str(summary.score),
                      *(str(summary.counts[s]) for s in Severity), str(summary.requests))
    Console().print(table)


@app.command("diff")
def diff_command(
    before: Annotated[str | None, typer.Argument(
        help="Older scan: a history id or a JSON report file (default: the second newest).")]
    = None,
    after: Annotated[str | None, typer.Argument(
        help="Newer scan: a history id or a JSON report file (default: the newest).")] = None,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Compare two scans: new, fixed and unchanged findings, and how the grade moved."""
    from apivigil.store.diff import diff_reports, reports_to_compare

    with errors_to_exit_codes():
        result = diff_reports(*reports_to_compare(before, after, db))
    print(json.dumps(result.to_json(), indent=2) if as_json else result.to_text())
