"""Running a scan with progress, writing its report (stdout, -o files), storing it, exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from apivigil.cli.errors import err_console
from apivigil.core.config import ScanOptions
from apivigil.core.errors import ExitCode, UsageError
from apivigil.core.models import Report, Severity


def run_with_progress(options: ScanOptions, *, show: bool, echo_notices: bool = True) -> Report:
    """Run the scan, with a live progress bar on stderr when a person is watching. Notices are
    echoed on stderr as they come, unless the terminal report (which lists them) follows on
    stdout: each is said once."""
    from apivigil.engine.events import CheckFinished, Event, Notice, ScanStarted
    from apivigil.engine.runner import Scanner

    if not show or not err_console.is_terminal:
        def on_event(event: Event) -> None:
            if isinstance(event, Notice) and echo_notices:
                err_console.print(f"! {event.message}", markup=False)

        return Scanner(options, listener=on_event).run()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console.console, transient=True) as progress:
        task = progress.add_task("scanning", total=None)

        def on_progress(event: Event) -> None:
            if isinstance(event, ScanStarted):
                progress.update(task, total=event.checks, description=f"scanning {event.target}")
            elif isinstance(event, CheckFinished):
                progress.update(task, advance=1, description=event.outcome.check)
            elif isinstance(event, Notice) and echo_notices:
                progress.console.print(f"! {event.message}", markup=False)

        return Scanner(options, listener=on_progress).run()


def emit(
    report: Report,
    output_format: str,
    output: list[Path] | Path | None,
    *,
    verbose: bool,
    ctx: typer.Context | None = None,
) -> None:
    """Write each -o file in the format of its extension, and stdout in --format.

    Without -o, stdout gets the --format report (terminal by default). With -o, stdout gets a
    report only when --format was chosen (on the command line or in the config file).
    """
    from apivigil.reporting import render_file, terminal, writer

    files, to_stdout = output_plan(ctx, output_format, output)
    for path, file_format in files:
        _write(path, render_file(file_format, report, verbose=verbose))
    if to_stdout is None:  # the reports went to files: say where, and the verdict in short
        counts = report.count_by_severity()
        found = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s]) or "none"
        err_console.print(
            f"apivigil: {report.verdict()}, {len(report.findings)} "
            f"findings ({found}); {report.plan_summary()}; report written to "
            f"{', '.join(str(path) for path, _ in files)}",
            markup=False, highlight=False, soft_wrap=True)
        return
    if to_stdout == "terminal":
        from rich.console import Console

        terminal.render(report, Console(), verbose=verbose)
    else:
        sys.stdout.write(writer(to_stdout, verbose=verbose)(report))


def output_plan(
    ctx: typer.Context | None, output_format: str, output: list[Path] | Path | None
) -> tuple[list[tuple[Path, str]], str | None]:
    """(file, format) pairs and stdout's format (None: nothing on stdout); checks extensions.

    Called before a scan too, so a bad -o extension fails fast.
    """
    from apivigil.reporting import format_for_path, get_format

    outputs = [output] if isinstance(output, Path) else list(output or [])
    chosen = _given(ctx, "output_format")
    files = []
    for path in outputs:
        file_format = format_for_path(path) or (str(output_format) if chosen else None)
        if file_format is None:
            raise UsageError(f"-o {path}: cannot tell the report format from the extension "
                             "(use .sarif .json .html .xml .md .txt .pdf, or give --format)")
        if file_format == "pdf":
            from apivigil.reporting.pdf import find_chromium

            find_chromium()  # before the scan, not after it
        _check_writable(path)
        files.append((path, file_format))
    by_extension = all(format_for_path(path) for path in outputs)
    to_stdout = str(output_format) if not outputs or (chosen and by_extension) else None
    if to_stdout is not None and get_format(to_stdout).render_bytes is not None:
        raise UsageError(f"--format {to_stdout}: not for the terminal; write it to a file "
                         f"with -o report.{to_stdout}")
    return files, to_stdout


def _check_writable(path: Path) -> None:
    """Refuse an -o file that cannot be written before the scan, not after it."""
    import os

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"-o {path}: is a directory")
    if not folder.is_dir():
        raise UsageError(f"-o {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"-o {path}: not writable")


def _given(ctx: typer.Context | None, name: str) -> bool:
    """Whether an option was set by the user (command line, env or config), not defaulted."""
    if ctx is None:
        return True
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def store_report(report: Report, db: str | None) -> None:
    """Save the scan in the history; a history that cannot be written never fails the scan."""
    from apivigil.store.history import History

    try:
        with History(db) as history:
            scan_id = history.save(report)
    except Exception as exc:  # the report matters more than its copy
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        err_console.print(f"! the scan was not stored in the history: {message} "
                          "(--no-store skips storing)", markup=False, highlight=False)
        return
    if err_console.is_terminal:
        err_console.print(f"stored as scan #{scan_id} (apivigil history, apivigil diff)",
                          style="dim", markup=False, highlight=False)


def exit_code_for(report: Report, fail_on: Severity | None) -> int:
    """The --fail-on contract: 1 when a finding at or above the threshold is reported."""
    if fail_on is None:
        return ExitCode.OK
    failing = any(f.severity.at_least(fail_on) for f in report.findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


def _write(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
