"""Command line: `apivigil scan`, `apivigil demo`, `apivigil checks`.

Option names follow curl where curl has one. Exit codes: 0 no finding at or above --fail-on,
1 findings at or above it, 2 bad usage, 3 the scan could not run. Errors are one clear sentence
on stderr, never a traceback, and never contain a credential.
"""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from apivigil import __version__
from apivigil.core.config import Credentials, ScanOptions, parse_header
from apivigil.core.errors import ApivigilError, ExitCode, UsageError
from apivigil.core.models import Report, Severity
from apivigil.engine.events import CheckFinished, Event, Notice, ScanStarted

app = typer.Typer(
    name="apivigil",
    help="Security scanner for HTTP APIs: transport, authentication and authorization failures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


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


# Shared report options (scan and demo take the same ones).
class OutputFormat(StrEnum):
    TERMINAL = "terminal"
    JSON = "json"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write the report to FILE.")]
FailOnOpt = Annotated[Severity | None, typer.Option(
    "--fail-on", help="Exit 1 when a finding at or above this severity exists.")]


@app.command()
def scan(
    url: Annotated[str, typer.Argument(help="Endpoint URL, or the API's base URL with --spec.")],
    user: Annotated[str | None, typer.Option(
        "--user", "-u", envvar="APIVIGIL_USER", show_envvar=True,
        help="USER:PASSWORD for HTTP Basic Auth.")] = None,
    header: Annotated[list[str] | None, typer.Option(
        "--header", "-H", help="Extra header 'Name: value' (repeatable).")] = None,
    cacert: Annotated[Path | None, typer.Option(help="Extra CA certificates (PEM).")] = None,
    insecure: Annotated[bool, typer.Option(
        "--insecure", "-k", help="Scan on when the certificate is not trusted.")] = False,
    spec: Annotated[str | None, typer.Option(help="OpenAPI spec file or URL.")] = None,
    http_port: Annotated[int, typer.Option(help="Port of the cleartext twin.")] = 80,
    https_port: Annotated[int, typer.Option(help="Port of the TLS twin.")] = 443,
    output_format: FormatOpt = OutputFormat.TERMINAL,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    max_requests: Annotated[int, typer.Option(min=1, help="Request budget.")] = 1000,
    rate: Annotated[float, typer.Option(min=0, help="Requests per second (0 = no limit).")] = 50,
    concurrency: Annotated[int, typer.Option(min=1, max=64)] = 4,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per request.")] = 10,
    max_duration: Annotated[float, typer.Option(min=1, help="Seconds for the whole scan.")] = 300,
    checks: Annotated[list[str] | None, typer.Option(
        "--checks", help="Run only these check ids or categories (repeatable, or comma list).")
    ] = None,
    skip_checks: Annotated[list[str] | None, typer.Option(
        "--skip-checks", help="Skip these check ids or categories.")] = None,
    allow_cleartext_credentials: Annotated[bool, typer.Option(
        help="Allow sending the supplied credentials over http://.")] = False,
    allow_unsafe_methods: Annotated[bool, typer.Option(
        help="Allow POST, PUT and PATCH (intrusive checks).")] = False,
    allow_delete: Annotated[bool, typer.Option(help="Allow DELETE.")] = False,
    no_default_credentials: Annotated[bool, typer.Option(
        "--no-default-credentials", help="Do not try well-known default credentials.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Full evidence.")] = False,
) -> None:
    """Scan an API and report what an attacker could exploit."""
    with _errors_to_exit_codes():
        options = ScanOptions(
            url=url,
            spec=spec,
            credentials=Credentials.parse(user) if user else None,
            headers=tuple(parse_header(h) for h in header or ()),
            cacert=_readable(cacert, "--cacert"),
            insecure=insecure,
            http_port=http_port,
            https_port=https_port,
            max_requests=max_requests,
            rate=rate,
            concurrency=concurrency,
            timeout=timeout,
            max_duration=max_duration,
            checks=_split(checks),
            skip_checks=_split(skip_checks),
            allow_cleartext_credentials=allow_cleartext_credentials,
            allow_unsafe_methods=allow_unsafe_methods,
            allow_delete=allow_delete,
            default_credentials=not no_default_credentials,
        )
        report = run_with_progress(options, show=output_format == "terminal" and output is None)
        emit(report, output_format, output, verbose=verbose)
        raise typer.Exit(exit_code_for(report, fail_on))


@app.command()
def demo(
    hardened: Annotated[bool, typer.Option(help="Serve and scan the fixed twin.")] = False,
    serve: Annotated[bool, typer.Option(help="Only serve the demo APIs and print their URLs.")]
    = False,
    output_format: FormatOpt = OutputFormat.TERMINAL,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Full evidence.")] = False,
) -> None:
    """Serve the bundled vulnerable API (or its hardened twin) on loopback and scan it."""
    from apivigil.demo.server import demo_scan_options, serve_demo, serve_forever

    with _errors_to_exit_codes():
        if serve:
            serve_forever(print_to=err_console)
            return
        with serve_demo(hardened=hardened) as running:
            err_console.print(f"Serving the {'hardened' if hardened else 'vulnerable'} demo API "
                              f"at {running.https_url} (and {running.http_url})")
            options = demo_scan_options(running)
            report = run_with_progress(options,
                                       show=output_format == "terminal" and output is None)
        emit(report, output_format, output, verbose=verbose)
        raise typer.Exit(exit_code_for(report, fail_on))


@app.command("checks")
def list_checks() -> None:
    """List every check: id, category, CWE, worst severity and what it sends."""
    from rich.table import Table

    from apivigil.checks.registry import REGISTRY

    table = Table(show_lines=False)
    for column in ("id", "category", "cwe", "severity", "sends"):
        table.add_column(column, overflow="fold")
    for check in REGISTRY:
        meta = check.meta
        flags = " (intrusive)" if meta.intrusive else ""
        table.add_row(meta.id, meta.category.value, ", ".join(f"CWE-{c}" for c in meta.cwe),
                      meta.severity.value, meta.sends + flags)
    Console().print(table)


# -- helpers ------------------------------------------------------------------------------


def run_with_progress(options: ScanOptions, *, show: bool) -> Report:
    """Run the scan, with a live progress bar on stderr when a person is watching."""
    from apivigil.engine.runner import Scanner

    if not show or not err_console.is_terminal:
        def on_event(event: Event) -> None:
            if isinstance(event, Notice):
                err_console.print(f"! {event.message}", markup=False)

        return Scanner(options, listener=on_event).run()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as progress:
        task = progress.add_task("scanning", total=None)

        def on_progress(event: Event) -> None:
            if isinstance(event, ScanStarted):
                progress.update(task, total=event.checks, description=f"scanning {event.target}")
            elif isinstance(event, CheckFinished):
                progress.update(task, advance=1, description=event.outcome.check)
            elif isinstance(event, Notice):
                progress.console.print(f"! {event.message}", markup=False)

        return Scanner(options, listener=on_progress).run()


def emit(report: Report, output_format: str, output: Path | None, *, verbose: bool) -> None:
    from apivigil.reporting import json_report, terminal

    if output_format == "json":
        text = json_report.render(report)
        if output is None:
            sys.stdout.write(text)
        else:
            _write(output, text)
        return
    if output is None:
        terminal.render(report, Console(), verbose=verbose)
        return
    console = Console(record=True, width=120, file=open(os.devnull, "w"))  # noqa: SIM115
    terminal.render(report, console, verbose=verbose)
    _write(output, console.export_text())


def exit_code_for(report: Report, fail_on: Severity | None) -> int:
    if fail_on is None:
        return ExitCode.OK
    threshold = fail_on
    failing = any(f.severity.at_least(threshold) for f in report.findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def _readable(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"{option}: no such file {path}")
    return str(path)


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


@contextmanager
def _errors_to_exit_codes():  # type: ignore[no-untyped-def]
    """Turn apivigil's errors into one line on stderr and the documented exit code."""
    try:
        yield
    except ApivigilError as exc:
        err_console.print(f"apivigil: error: {exc}", markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err_console.print("apivigil: interrupted", markup=False)
        raise typer.Exit(130) from None


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except click.exceptions.UsageError as exc:  # pragma: no cover - typer handles most
        err_console.print(f"apivigil: error: {exc}", markup=False)
        sys.exit(ExitCode.USAGE)
