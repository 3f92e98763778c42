"""The typer application, its `--version`, and `main()` (the `apivigil` entry point)."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

# typer vendors its own click (`click` itself is not a dependency of a plain install)
from typer._click.exceptions import UsageError as ClickUsageError

from apivigil import __version__
from apivigil.cli.errors import err_console
from apivigil.core.errors import ExitCode

app = typer.Typer(
    name="apivigil",
    help="Security scanner for HTTP APIs: transport, authentication and authorization failures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"apivigil {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """apivigil scans a live HTTP API and grades what an attacker could exploit."""


def _register_commands() -> None:
    """Import the command modules: each registers its commands on `app`."""
    from apivigil.cli import audit, checks, demo, history, monitor, scan  # noqa: F401


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _register_commands()
    try:
        app()
    except ClickUsageError as exc:  # pragma: no cover - typer handles most
        err_console.print(f"apivigil: error: {exc}", markup=False)
        sys.exit(ExitCode.USAGE)
