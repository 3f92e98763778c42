"""`apivigil demo`: serve the bundled vulnerable (or hardened) API on loopback and scan it."""

from __future__ import annotations

from typing import Annotated

import typer

from apivigil.cli.app import app
from apivigil.cli.errors import err_console, errors_to_exit_codes
from apivigil.cli.options import (
    TERMINAL,
    ConfigOpt,
    FailOnOpt,
    FormatOpt,
    OutputOpt,
    VerboseOpt,
)
from apivigil.cli.output import emit, exit_code_for, run_with_progress
from apivigil.core.extras import needs_extra


@app.command()
def demo(
    ctx: typer.Context,
    hardened: Annotated[bool, typer.Option(help="Serve and scan the fixed twin.")] = False,
    serve: Annotated[bool, typer.Option(help="Only serve the demo APIs and print their URLs.")]
    = False,
    output_format: FormatOpt = TERMINAL,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Serve the bundled vulnerable API (or its hardened twin) on loopback and scan it."""
    with errors_to_exit_codes(), needs_extra("demo", "apivigil demo"):
        from apivigil.demo.server import demo_scan_options, serve_demo, serve_forever

    with errors_to_exit_codes():
        if serve:
            serve_forever(print_to=err_console.console)
            return
        with serve_demo(hardened=hardened) as running:
            err_console.print(f"Serving the {'hardened' if hardened else 'vulnerable'} demo API "
                              f"at {running.https_url} (and {running.http_url})",
                              soft_wrap=True, markup=False)
            options = demo_scan_options(running)
            report = run_with_progress(options,
                                       show=output_format == "terminal" and not output)
        emit(report, output_format, output, verbose=verbose, ctx=ctx)
        raise typer.Exit(exit_code_for(report, fail_on))
