"""`apivigil serve` (the dashboard), `apivigil worker` (a Celery worker for fleet scans) and
`apivigil mcp` (tools for an AI assistant).

Each needs an optional extra (`[server]`, `[fleet]`, `[mcp]`); without it the command says
which, in one line, and nothing heavy is imported when the CLI starts.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Annotated

import typer

from apivigil.cli.app import app
from apivigil.cli.errors import err_console, errors_to_exit_codes
from apivigil.cli.options import ConfigOpt, DbOpt
from apivigil.core.errors import UsageError
from apivigil.core.extras import EXTRAS, MissingExtraError

BROKER_ENV = "APIVIGIL_BROKER"
ADMIN_PASSWORD_ENV = "APIVIGIL_ADMIN_PASSWORD"  # noqa: S105 - a variable name


def require_extra(command: str, extra: str) -> None:
    """Before anything starts (some modules load later, in threads): a one-line error naming
    the extra when one of its modules is not installed."""
    if not all(_installed(module) for module in EXTRAS[extra]):
        raise MissingExtraError(extra, f"apivigil {command}")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


BrokerOpt = Annotated[str | None, typer.Option(
    "--broker", envvar=BROKER_ENV, show_envvar=True,
    help="Celery broker URL, e.g. redis://127.0.0.1:6379/0: scans run on `apivigil worker`s "
    "(without it, in this process).")]


@app.command()
def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on (plain HTTP only on "
                                            "loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: a free one).")] = 8443,
    cert: Annotated[Path | None, typer.Option(help="TLS certificate chain (PEM).")] = None,
    key: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    broker: BrokerOpt = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Scan threads when there is no "
                                         "--broker.")] = 2,
    config: ConfigOpt = None,
) -> None:
    """Serve the dashboard over the scan history: targets, trends, scans, diffs, schedules."""
    with errors_to_exit_codes():
        require_extra("serve", "server")
        if broker:
            require_extra("serve --broker", "fleet")
        from apivigil.server.run import build

        running = build(db=db, host=host, port=port, cert=str(cert) if cert else None,
                        key=str(key) if key else None, broker=broker, workers=workers,
                        admin_password=os.environ.get(ADMIN_PASSWORD_ENV) or None,
                        announce=lambda line: err_console.print(line, markup=False,
                                                                soft_wrap=True))
        err_console.print(f"apivigil dashboard at {running.url}/ (Ctrl-C stops)",
                          markup=False, highlight=False)
        running.serve_forever()


@app.command()
def worker(
    broker: BrokerOpt = None,
    db: DbOpt = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Scans at a time.")] = 2,
    config: ConfigOpt = None,
) -> None:
    """Run scan tasks from the broker (Celery), storing results in the shared --db."""
    with errors_to_exit_codes():
        require_extra("worker", "fleet")
        if not broker:
            raise UsageError(f"apivigil worker needs --broker (or {BROKER_ENV}), e.g. "
                             "redis://127.0.0.1:6379/0")
        from apivigil.fleet.celery_app import run_worker

        run_worker(broker, db, concurrency=concurrency)


@app.command("mcp")
def mcp_command(
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve apivigil's tools (scan, audit, history, diff, explain) to an AI assistant over
    stdio (Model Context Protocol). Credentials: names of APIVIGIL_CRED_* variables."""
    with errors_to_exit_codes():
        require_extra("mcp", "mcp")
        from apivigil.mcp_server.server import run

        run(db)
