"""Command line: `apivigil scan`, `apivigil demo`, `apivigil checks`.

Option names follow curl where curl has one. Exit codes: 0 no finding at or above --fail-on,
1 findings at or above it, 2 bad usage, 3 the scan could not run. Errors are one clear sentence
on stderr, never a traceback, and never contain a credential.
"""

from __future__ import annotations

import logging
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
from apivigil.core.config import Credentials, Identity, ScanOptions, parse_header
from apivigil.core.errors import ApivigilError, ExitCode, UsageError
from apivigil.core.models import Finding, Report, Severity
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
    SARIF = "sarif"
    JUNIT = "junit"
    HTML = "html"
    MARKDOWN = "markdown"


FormatOpt = Annotated[OutputFormat, typer.Option(
    "--format", "-f", help="Report format on stdout (and of -o files with no known extension).")]
OutputOpt = Annotated[list[Path] | None, typer.Option(
    "--output", "-o", help="Write the report to FILE (repeatable); the format comes from the "
    "extension: .sarif .json .html .xml (JUnit) .md .txt .pdf (printed by headless Chromium).")]
FailOnOpt = Annotated[Severity | None, typer.Option(
    "--fail-on", help="Exit 1 when a finding at or above this severity exists.")]


def _load_config(ctx: typer.Context, value: Path | None) -> Path | None:
    """Eager --config: the file's options become this command's defaults (the CLI wins)."""
    if ctx.resilient_parsing:
        return value
    from apivigil import config_file

    path = value or config_file.discover()
    if path is None:
        return value
    group = ctx.parent.command if ctx.parent else ctx.command
    commands = getattr(group, "commands", {}) or {ctx.command.name: ctx.command}
    known = {name: {p.name for p in cmd.params if p.name} for name, cmd in commands.items()}
    with _errors_to_exit_codes():
        loaded = config_file.load(path, known)
    ctx.default_map = {**loaded.defaults_for(ctx.command), **(ctx.default_map or {})}
    ctx.meta[CONFIG_KEY] = loaded
    return value


CONFIG_KEY = "apivigil.config"
DEFAULT_BASELINE = ".apivigil-baseline.json"
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", is_eager=True, callback=_load_config,
    help="Config file (default: ./.apivigil.toml, else [tool.apivigil] in ./pyproject.toml).")]
BaselineOpt = Annotated[Path | None, typer.Option(
    "--baseline", help="Baseline file: `scan` reports and fails only on findings not in it; "
    f"`baseline` writes it (default {DEFAULT_BASELINE}).")]
DbOpt = Annotated[str | None, typer.Option(
    "--db", envvar="APIVIGIL_DB", help="Scan history database: a SQLite path or a SQLAlchemy "
    "URL such as postgresql://user@host/db (default: ~/.local/share/apivigil/history.db).")]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Do not store this scan in the "
                                          "history.")]


@app.command()
def scan(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Endpoint URL, or the API's base URL with --spec.")],
    user: Annotated[str | None, typer.Option(
        "--user", "-u", envvar="APIVIGIL_USER", show_envvar=True,
        help="USER:PASSWORD for HTTP Basic Auth.")] = None,
    identity: Annotated[list[str] | None, typer.Option(
        "--identity", help="An account for authorization checks (repeatable; the first, after "
        "-u if given, is the primary): NAME[:role=ROLE]=USER:PASSWORD or "
        "NAME[:role=ROLE]='Header: value', e.g. --identity admin:role=admin=root:PASS "
        "--identity alice:role=user=alice:PASS.")] = None,
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
    setting: Annotated[list[str] | None, typer.Option(
        "--set", help="A check setting NAME=VALUE (repeatable), e.g. --set login_burst=20; "
        "each check's documentation names its settings.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Full evidence.")] = False,
    config: ConfigOpt = None,
    baseline: BaselineOpt = None,
    db: DbOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Scan an API and report what an attacker could exploit."""
    with _errors_to_exit_codes():
        options = ScanOptions(
            url=url,
            spec=spec,
            credentials=Credentials.parse(user) if user else None,
            identities=_identities(identity),
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
            settings=_settings(setting),
        )
        accepted = _prepare(ctx, output_format, output, baseline)
        report = run_with_progress(options, show=output_format == "terminal" and not output)
        code = finish_scan(ctx, report, output_format, output, fail_on=fail_on,
                           verbose=verbose, baseline=baseline, accepted=accepted, db=db,
                           store=not no_store)
        raise typer.Exit(code)


app.command("baseline", help=(
    "Scan like `scan`, then write the findings' fingerprints to the --baseline file (default "
    f"{DEFAULT_BASELINE}); later `scan --baseline FILE` reports only new findings."))(scan)


@app.command()
def demo(
    ctx: typer.Context,
    hardened: Annotated[bool, typer.Option(help="Serve and scan the fixed twin.")] = False,
    serve: Annotated[bool, typer.Option(help="Only serve the demo APIs and print their URLs.")]
    = False,
    output_format: FormatOpt = OutputFormat.TERMINAL,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Full evidence.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Serve the bundled vulnerable API (or its hardened twin) on loopback and scan it."""
    from apivigil.demo.server import demo_scan_options, serve_demo, serve_forever

    with _errors_to_exit_codes():
        if serve:
            serve_forever(print_to=err_console)
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


@app.command()
def audit(
    ctx: typer.Context,
    spec: Annotated[str, typer.Argument(help="OpenAPI 2.0/3.0/3.1 spec file or URL.")],
    output_format: FormatOpt = OutputFormat.TERMINAL,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    strict: Annotated[bool, typer.Option(
        help="Also validate the document against the OpenAPI schemas (slow on big specs).")]
    = False,
    cacert: Annotated[Path | None, typer.Option(help="Extra CA certificates (PEM).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Full evidence.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Audit a spec without scanning: weak security declarations, no traffic sent."""
    from apivigil.engine.audit import audit as audit_spec

    with _errors_to_exit_codes():
        _output_plan(ctx, output_format, output)
        report = audit_spec(spec, strict=strict, cacert=_readable(cacert, "--cacert"))
        emit(report, output_format, output, verbose=verbose, ctx=ctx)
        raise typer.Exit(exit_code_for(report, fail_on))


@app.command("checks")
def list_checks() -> None:
    """List every check: id, category, CWE, worst severity and what it sends."""
    from apivigil.checks.registry import REGISTRY

    width = max(len(check_id) for check_id in REGISTRY.ids)
    for check in REGISTRY:
        meta = check.meta
        cwe = ", ".join(f"CWE-{c}" for c in meta.cwe)
        flags = " (intrusive: needs --allow-unsafe-methods)" if meta.intrusive else ""
        print(f"{meta.id:<{width}}  {meta.category.value:<22} {meta.severity.value:<8}  {cwe}")
        print(f"{'':<{width}}  {meta.title}. Sends: {meta.sends}{flags}")


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
    import json

    from rich.table import Table

    from apivigil.store.history import History

    with _errors_to_exit_codes(), History(db) as store:
        scans = store.scans(target=target, limit=limit)
    if as_json:
        for summary in scans:
            print(json.dumps({"id": summary.id, "target": summary.target,
                              "started_at": summary.started_at.isoformat(),
                              "grade": summary.grade, "score": summary.score,
                              "requests": summary.requests,
                              "counts": {k.value: v for k, v in summary.counts.items()}}))
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
                      summary.target, summary.grade, str(summary.score),
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
    import json

    from apivigil.store.diff import diff_reports

    with _errors_to_exit_codes():
        first, second = _reports_to_compare(before, after, db)
        result = diff_reports(first, second)
    if as_json:
        def rows(findings: tuple[Finding, ...]) -> list[dict[str, str | None]]:
            return [{"id": f.id, "severity": f.severity.value, "title": f.title,
                     "method": f.method, "path": f.path or f.url,
                     "fingerprint": f.fingerprint} for f in findings]

        print(json.dumps({"grade_before": result.grade_before, "grade_after": result.grade_after,
                          "score_before": result.score_before, "score_after": result.score_after,
                          "drift": result.drift, "new": rows(result.new),
                          "fixed": rows(result.fixed), "unchanged": rows(result.unchanged)},
                         indent=2))
        return
    change = f"{result.score_change:+d}"
    lines = [f"Grade {result.grade_before} ({result.score_before}) -> {result.grade_after} "
             f"({result.score_after}): {result.drift} ({change})"]
    for label, group in (("New", result.new), ("Fixed", result.fixed),
                         ("Unchanged", result.unchanged)):
        lines.append(f"{label} ({len(group)})")
        for f in group:
            place = " ".join(p for p in (f.method, f.path or f.url) if p)
            lines.append(f"  [{f.severity.value.upper()}] {f.id}  {place}  {f.title}")
    print("\n".join(lines))


def _reports_to_compare(
    before: str | None, after: str | None, db: str | None
) -> tuple[Report, Report]:
    from apivigil.store.history import History

    def from_file(value: str) -> Report | None:
        path = Path(value)
        if not path.is_file():
            return None
        try:
            return Report.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError:
            raise UsageError(f"{value} is not an apivigil JSON report") from None

    files = [from_file(v) if v else None for v in (before, after)]
    if all(r is not None for r in files):
        return files[0], files[1]  # type: ignore[return-value]
    with History(db) as store:
        if before is None and after is None:
            ids = store.latest_ids(2)
            if len(ids) < 2:
                raise UsageError("diff needs two stored scans (or two report files)")
            return store.report(ids[0]), store.report(ids[1])
        reports = []
        for value, loaded in zip((before, after), files, strict=True):
            if loaded is not None:
                reports.append(loaded)
            elif value is None:
                reports.append(store.report(store.latest_ids(1)[-1]))
            elif value.isdigit():
                reports.append(store.report(int(value)))
            else:
                raise UsageError(f"{value}: neither a scan id from `apivigil history` nor a "
                                 "JSON report file")
        return reports[0], reports[1]


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

    files, to_stdout = _output_plan(ctx, output_format, output)
    for path, file_format in files:
        _write(path, render_file(file_format, report, verbose=verbose))
    if to_stdout is None:
        return
    if to_stdout == "terminal":
        terminal.render(report, Console(), verbose=verbose)
    else:
        sys.stdout.write(writer(to_stdout, verbose=verbose)(report))


def _output_plan(
    ctx: typer.Context | None, output_format: str, output: list[Path] | Path | None
) -> tuple[list[tuple[Path, str]], str | None]:
    """(file, format) pairs and stdout's format (None: nothing on stdout); checks extensions."""
    from apivigil.reporting import format_for_path

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
        files.append((path, file_format))
    if not outputs:
        return files, str(output_format)
    by_extension = all(format_for_path(path) for path in outputs)
    return files, str(output_format) if chosen and by_extension else None


def _given(ctx: typer.Context | None, name: str) -> bool:
    """Whether an option was set by the user (command line, env or config), not defaulted."""
    if ctx is None:
        return True
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def _prepare(
    ctx: typer.Context, output_format: str, output: list[Path] | None, baseline: Path | None
) -> frozenset[str]:
    """Fail fast, before the scan: bad -o extensions, an unreadable --baseline."""
    from apivigil.store.suppress import read_baseline

    _output_plan(ctx, output_format, output)
    if baseline is None or ctx.info_name == "baseline":
        return frozenset()
    return read_baseline(baseline)


def finish_scan(
    ctx: typer.Context,
    report: Report,
    output_format: str,
    output: list[Path] | None,
    *,
    fail_on: Severity | None,
    verbose: bool,
    baseline: Path | None,
    accepted: frozenset[str],
    db: str | None,
    store: bool,
) -> int:
    """Store the full report, write or apply the baseline and ignore list, emit, exit code."""
    from apivigil import config_file
    from apivigil.store import suppress

    if store:
        _store(report, db)
    if ctx.info_name == "baseline":
        path = baseline or Path(DEFAULT_BASELINE)
        count = suppress.write_baseline(report, path)
        err_console.print(f"apivigil: wrote the baseline {path} ({count} finding(s) accepted)",
                          markup=False, highlight=False)
        emit(report, output_format, output, verbose=verbose, ctx=ctx)
        return ExitCode.OK
    loaded: config_file.FileConfig = ctx.meta.get(CONFIG_KEY, config_file.EMPTY)
    shown = suppress.apply(report, baseline=accepted, ignore=loaded.ignore).report
    emit(shown, output_format, output, verbose=verbose, ctx=ctx)
    return exit_code_for(shown, fail_on)


def _store(report: Report, db: str | None) -> None:
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
    if fail_on is None:
        return ExitCode.OK
    threshold = fail_on
    failing = any(f.severity.at_least(threshold) for f in report.findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


def _write(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def _readable(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"{option}: no such file {path}")
    return str(path)


def _identities(values: list[str] | None) -> tuple[Identity, ...]:
    identities = tuple(Identity.parse(v) for v in values or ())
    names = [i.name for i in identities]
    if len(set(names)) != len(names):
        raise UsageError("--identity names must be unique")
    return identities


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def _settings(values: list[str] | None) -> dict[str, int | float | str]:
    """--set NAME=VALUE pairs; numbers become numbers."""
    settings: dict[str, int | float | str] = {}
    for value in values or ():
        name, sep, raw = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set takes NAME=VALUE, got {value!r}")
        parsed: int | float | str = raw.strip()
        for kind in (int, float):
            try:
                parsed = kind(raw)
                break
            except ValueError:
                continue
        settings[name.strip()] = parsed
    return settings


@contextmanager
def _errors_to_exit_codes():  # type: ignore[no-untyped-def]
    """Turn apivigil's errors into one line on stderr and the documented exit code."""
    try:
        yield
    except ApivigilError as exc:
        err_console.print(f"apivigil: error: {exc}", markup=False, highlight=False,
                          soft_wrap=True)
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
