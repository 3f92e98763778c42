"""The typer application, its `--version`, and `main()` (the `apivigil` entry point)."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

# typer 0.29 runs its own copy of click; its usage errors are these classes (typer is pinned
# below 0.30 in pyproject.toml).
from typer._click import exceptions as click_errors

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
        code = app(standalone_mode=False)
    except click_errors.NoArgsIsHelpError:  # `apivigil` alone: typer has shown the help
        sys.exit(ExitCode.USAGE)
    except click_errors.UsageError as exc:  # one line, as the README promises
        err_console.print(f"apivigil: error: {_one_line(exc)}", markup=False, highlight=False,
                          soft_wrap=True)
        sys.exit(ExitCode.USAGE)
    except (click_errors.ClickException, OSError) as exc:  # e.g. a file option it cannot open
        err_console.print(f"apivigil: error: {exc}", markup=False, highlight=False,
                          soft_wrap=True)
        sys.exit(ExitCode.USAGE)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


def _one_line(exc: click_errors.UsageError) -> str:
    """click's message on one line, with where to read more ("... (apivigil scan --help)")."""
    message = " ".join(exc.format_message().split())
    command = exc.ctx.info_name if exc.ctx is not None and exc.ctx.parent is not None else None
    return f"{message} (apivigil {command + ' ' if command else ''}--help)"
