"""`apivigil audit SPEC`: the spec audit alone, no traffic to the API."""

from __future__ import annotations

from typing import Annotated

import typer

from apivigil.cli.app import app
from apivigil.cli.errors import errors_to_exit_codes
from apivigil.cli.options import (
    TERMINAL,
    CacertOpt,
    ConfigOpt,
    FailOnOpt,
    FormatOpt,
    OutputOpt,
    VerboseOpt,
    readable,
)
from apivigil.cli.output import emit, exit_code_for, output_plan


@app.command()
def audit(
    ctx: typer.Context,
    spec: Annotated[str, typer.Argument(help="OpenAPI 2.0/3.0/3.1 spec file or URL.")],
    output_format: FormatOpt = TERMINAL,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    strict: Annotated[bool, typer.Option(
        help="Also validate the document against the OpenAPI schemas (slow on big specs).")]
    = False,
    cacert: CacertOpt = None,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Audit a spec without scanning: weak security declarations, no traffic sent."""
    from apivigil.engine.audit import audit as audit_spec

    with errors_to_exit_codes():
        output_plan(ctx, output_format, output)
        report = audit_spec(spec, strict=strict, cacert=readable(cacert, "--cacert"))
        emit(report, output_format, output, verbose=verbose, ctx=ctx)
        raise typer.Exit(exit_code_for(report, fail_on))
