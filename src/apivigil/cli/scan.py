"""`apivigil scan` and `apivigil baseline`: the same scan, then report it or accept it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from apivigil.cli.app import app
from apivigil.cli.errors import err_console, errors_to_exit_codes
from apivigil.cli.options import (
    CONFIG_KEY,
    DEFAULT_BASELINE,
    HISTORY,
    TERMINAL,
    ConfigOpt,
    DbOpt,
    FailOnOpt,
    FormatOpt,
    NoStoreOpt,
    OutputOpt,
    VerboseOpt,
    with_scan_options,
)
from apivigil.cli.output import emit, exit_code_for, output_plan, run_with_progress, store_report
from apivigil.core.config import ScanOptions
from apivigil.core.errors import ExitCode


@app.command()
@with_scan_options
def scan(
    ctx: typer.Context,
    options: ScanOptions,
    output_format: FormatOpt = TERMINAL,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", rich_help_panel=HISTORY,
        help="Baseline file (written by `apivigil baseline`): report and fail only on "
        "findings not in it.")] = None,
    db: DbOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Scan an API and report what an attacker could exploit."""
    from apivigil import config_file
    from apivigil.store import suppress

    with errors_to_exit_codes():
        output_plan(ctx, output_format, output)
        accepted = suppress.read_baseline(baseline) if baseline else frozenset[str]()
        report = run_with_progress(options, show=output_format == "terminal" and not output)
        if not no_store:
            store_report(report, db)
        loaded: config_file.FileConfig = ctx.meta.get(CONFIG_KEY, config_file.EMPTY)
        shown = suppress.apply(report, baseline=accepted, ignore=loaded.ignore).report
        emit(shown, output_format, output, verbose=verbose, ctx=ctx)
        raise typer.Exit(exit_code_for(shown, fail_on))


@app.command()
@with_scan_options
def baseline(
    ctx: typer.Context,
    options: ScanOptions,
    output_format: FormatOpt = TERMINAL,
    output: OutputOpt = None,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", rich_help_panel=HISTORY,
        help=f"The baseline file to write (default {DEFAULT_BASELINE}).")] = None,
    db: DbOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Scan like `scan`, then write the findings' fingerprints to the --baseline file; later
    `scan --baseline FILE` reports only new findings."""
    from apivigil.store import suppress

    with errors_to_exit_codes():
        output_plan(ctx, output_format, output)
        report = run_with_progress(options, show=output_format == "terminal" and not output)
        if not no_store:
            store_report(report, db)
        path = baseline or Path(DEFAULT_BASELINE)
        count = suppress.write_baseline(report, path)
        err_console.print(f"apivigil: wrote the baseline {path} ({count} finding(s) accepted)",
                          markup=False, highlight=False)
        emit(report, output_format, output, verbose=verbose, ctx=ctx)
        raise typer.Exit(ExitCode.OK)
