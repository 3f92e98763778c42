"""The options commands share, written once and grouped into help panels.

`scan` and `baseline` take every scan option: `with_scan_options` gives a command the
parameters of `scan_options` (which turns them into a `ScanOptions`) in front of its own, so a
new scan option is added in one place and both commands, the config file and the help get it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from apivigil.checks.target import parse_exclude
from apivigil.cli.errors import errors_to_exit_codes
from apivigil.core.config import Identity, LoginOptions, ScanOptions, parse_header
from apivigil.core.errors import UsageError
from apivigil.core.models import Severity

# Help panels, in the order a user looks for them.
TARGET = "Target"
CREDENTIALS = "Credentials"
SAFETY = "Safety"
LIMITS = "Limits"
CHECKS = "Checks"
REPORT = "Report"
HISTORY = "History and baseline"

CONFIG_KEY = "apivigil.config"
DEFAULT_BASELINE = ".apivigil-baseline.json"


class LlmProbes(StrEnum):
    OFF = "off"
    QUICK = "quick"
    STANDARD = "standard"
    DEEP = "deep"


TERMINAL = "terminal"


def _known_format(value: str) -> str:
    """--format takes any registered format name, apivigil's own or a plugin's."""
    from apivigil.reporting import format_names

    if value not in format_names():
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(format_names())}.")
    return value


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
    with errors_to_exit_codes():
        loaded = config_file.load(path, known)
    ctx.default_map = {**loaded.defaults_for(ctx.command), **(ctx.default_map or {})}
    ctx.meta[CONFIG_KEY] = loaded
    return value


# -- report options (scan, baseline, demo, audit) ----------------------------------------

FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", rich_help_panel=REPORT, callback=_known_format, metavar="FORMAT",
    help="Report format on stdout (and of -o files with no known extension): terminal, json, "
    "sarif, junit, html, markdown, or one a plugin adds (`apivigil formats`).")]
OutputOpt = Annotated[list[Path] | None, typer.Option(
    "--output", "-o", rich_help_panel=REPORT,
    help="Write the report to FILE (repeatable); the format comes from the "
    "extension: .sarif .json .html .xml (JUnit) .md .txt .pdf (printed by headless Chromium).")]
FailOnOpt = Annotated[Severity | None, typer.Option(
    "--fail-on", rich_help_panel=REPORT,
    help="Exit 1 when a finding at or above this severity exists.")]
VerboseOpt = Annotated[bool, typer.Option(
    "--verbose", "-v", rich_help_panel=REPORT, help="Full evidence.")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", is_eager=True, callback=_load_config,
    help="Config file (default: ./.apivigil.toml, else \\[tool.apivigil] in ./pyproject.toml).")]
CacertOpt = Annotated[Path | None, typer.Option(
    "--cacert", rich_help_panel=TARGET, help="Extra CA certificates (PEM).")]

# -- history options (scan, baseline, history, diff) -------------------------------------

DbOpt = Annotated[str | None, typer.Option(
    "--db", envvar="APIVIGIL_DB", rich_help_panel=HISTORY,
    help="Scan history database: a SQLite path or a SQLAlchemy URL such as "
    "postgresql://user@host/db (default: ~/.local/share/apivigil/history.db).")]
NoStoreOpt = Annotated[bool, typer.Option(
    "--no-store", rich_help_panel=HISTORY, help="Do not store this scan in the history.")]


# -- scan options (scan, baseline) -------------------------------------------------------

def scan_options(
    url: Annotated[str, typer.Argument(help="Endpoint URL, or the API's base URL with --spec.")],
    user: Annotated[str | None, typer.Option(
        "--user", "-u", envvar="APIVIGIL_USER", show_envvar=True, rich_help_panel=CREDENTIALS,
        help="The credential to scan with: USER:PASSWORD (HTTP Basic, or logged in with "
        "--login / the spec's OAuth2 password flow), bearer:TOKEN, apikey:KEY (placed as "
        "the spec's apiKey scheme says), cookie:NAME=VALUE or 'Header-Name: value'.")] = None,
    identity: Annotated[list[str] | None, typer.Option(
        "--identity", rich_help_panel=CREDENTIALS,
        help="An account for authorization checks (repeatable; the first, after "
        "-u if given, is the primary): NAME[:role=ROLE]=CREDENTIAL in any form -u takes, "
        "e.g. --identity admin:role=admin=root:PASS --identity alice=bearer:TOKEN.")] = None,
    login: Annotated[str | None, typer.Option(
        "--login", rich_help_panel=CREDENTIALS, metavar="PATH",
        help="Log every USER:PASSWORD in with a POST to PATH on the target (JSON or form, as "
        "the spec's request body says) and use the token or session cookie it answers.")] = None,
    login_token: Annotated[str | None, typer.Option(
        "--login-token", rich_help_panel=CREDENTIALS, metavar="FIELD",
        help="The JSON field of the login answer that holds the token (default: "
        "access_token, token, jwt, id_token...).")] = None,
    login_body: Annotated[str | None, typer.Option(
        "--login-body", rich_help_panel=CREDENTIALS, metavar="TEMPLATE",
        help="The login body with {user} and {password}; JSON if it starts with {, else "
        "a form, e.g. '{\"email\": \"{user}\", \"password\": \"{password}\"}'.")] = None,
    header: Annotated[list[str] | None, typer.Option(
        "--header", "-H", rich_help_panel=CREDENTIALS,
        help="Extra header 'Name: value' (repeatable).")] = None,
    cacert: CacertOpt = None,
    insecure: Annotated[bool, typer.Option(
        "--insecure", "-k", rich_help_panel=TARGET,
        help="Trust any certificate and send credentials anyway (without it an untrusted "
        "certificate is reported and credentials are withheld).")] = False,
    spec: Annotated[str | None, typer.Option(
        rich_help_panel=TARGET, help="OpenAPI spec file or URL.")] = None,
    http_port: Annotated[int, typer.Option(
        rich_help_panel=TARGET, help="Port of the cleartext twin.")] = 80,
    https_port: Annotated[int, typer.Option(
        rich_help_panel=TARGET, help="Port of the TLS twin.")] = 443,
    max_requests: Annotated[int, typer.Option(
        min=1, rich_help_panel=LIMITS, help="Request budget.")] = 1000,
    rate: Annotated[float, typer.Option(
        min=0, rich_help_panel=LIMITS, help="Requests per second (0 = no limit).")] = 50,
    concurrency: Annotated[int, typer.Option(min=1, max=64, rich_help_panel=LIMITS)] = 4,
    timeout: Annotated[float, typer.Option(
        min=0.1, rich_help_panel=LIMITS, help="Seconds per request.")] = 10,
    max_duration: Annotated[float, typer.Option(
        min=1, rich_help_panel=LIMITS, help="Seconds for the whole scan.")] = 300,
    checks: Annotated[list[str] | None, typer.Option(
        "--checks", rich_help_panel=CHECKS,
        help="Run only these check ids or categories (repeatable, or comma list).")] = None,
    skip_checks: Annotated[list[str] | None, typer.Option(
        "--skip-checks", rich_help_panel=CHECKS,
        help="Skip these check ids or categories.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", rich_help_panel=TARGET,
        help="Keep operations out of the scan: 'METHOD PATH-GLOB' (repeatable), e.g. "
        "--exclude 'GET /createdb' --exclude '* /admin/*'; listed in the report, never "
        "sent.")] = None,
    allow_cleartext_credentials: Annotated[bool, typer.Option(
        rich_help_panel=SAFETY,
        help="Allow sending the supplied credentials over http://.")] = False,
    allow_unsafe_methods: Annotated[bool, typer.Option(
        rich_help_panel=SAFETY, help="Allow POST, PUT and PATCH (intrusive checks).")] = False,
    allow_delete: Annotated[bool, typer.Option(
        rich_help_panel=SAFETY, help="Allow DELETE.")] = False,
    no_default_credentials: Annotated[bool, typer.Option(
        "--no-default-credentials", rich_help_panel=SAFETY,
        help="Do not try well-known default credentials.")] = False,
    callback_listen: Annotated[str | None, typer.Option(
        "--callback-listen", metavar="HOST:PORT", rich_help_panel=CHECKS,
        help="Where the scan's out-of-band callback listener listens (SSRF, unsafe "
        "consumption, indirect prompt injection); default 127.0.0.1 on a free port.")] = None,
    callback_url: Annotated[str | None, typer.Option(
        "--callback-url", metavar="URL", rich_help_panel=CHECKS,
        help="The URL a remote target reaches the callback listener at.")] = None,
    llm_probes: Annotated[LlmProbes, typer.Option(
        "--llm-probes", rich_help_panel=CHECKS,
        help="Adversarial prompts per detected LLM endpoint: off, quick (5), standard (12) "
        "or deep (20); text-only POSTs, sent without --allow-unsafe-methods.")
    ] = LlmProbes.QUICK,
    setting: Annotated[list[str] | None, typer.Option(
        "--set", rich_help_panel=CHECKS,
        help="A check setting NAME=VALUE (repeatable), e.g. --set login_burst=20; "
        "each check's documentation names its settings.")] = None,
) -> ScanOptions:
    """The scan options of the command line as one immutable `ScanOptions`."""
    if callback_listen or callback_url:  # imported only then: http.server costs start-up time
        from apivigil.http.callback import check_public_url, parse_listen

        if callback_listen:
            parse_listen(callback_listen)
        if callback_url:
            check_public_url(callback_url)

    parsed = Identity.from_credential("user", user) if user else None
    basic = parsed if parsed is not None and parsed.uses_basic else None
    user_credential = parsed if basic is None else None
    return ScanOptions(
        url=url,
        spec=spec,
        credentials=basic.credentials if basic is not None else None,
        user_credential=user_credential,
        identities=identities(identity),
        login=LoginOptions(path=login, token_field=login_token, body_template=login_body),
        headers=tuple(parse_header(h) for h in header or ()),
        cacert=readable(cacert, "--cacert"),
        insecure=insecure,
        http_port=http_port,
        https_port=https_port,
        max_requests=max_requests,
        rate=rate,
        concurrency=concurrency,
        timeout=timeout,
        max_duration=max_duration,
        checks=split(checks),
        skip_checks=split(skip_checks),
        exclude=tuple(f"{m} {g}" for m, g in map(parse_exclude, exclude or ())),
        allow_cleartext_credentials=allow_cleartext_credentials,
        allow_unsafe_methods=allow_unsafe_methods,
        allow_delete=allow_delete,
        default_credentials=not no_default_credentials,
        callback_listen=callback_listen,
        callback_url=callback_url,
        llm_probes=llm_probes.value,
        settings=settings(setting),
    )


def with_scan_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give `command(ctx, options, **own)` every parameter of `scan_options` as well.

    typer reads a command's parameters from its signature, so the wrapper's signature is
    `ctx`, the scan options, then the command's own options; the wrapper builds the
    `ScanOptions` (bad values: one line on stderr, exit 2) and passes it on.
    """
    shared = inspect.signature(scan_options, eval_str=True).parameters
    own = inspect.signature(command, eval_str=True).parameters
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        own["ctx"],
        *(p.replace(kind=keyword) for p in shared.values()),
        *(p.replace(kind=keyword) for name, p in own.items() if name not in ("ctx", "options")),
    ]

    @functools.wraps(command)
    def wrapper(ctx: typer.Context, **values: Any) -> None:
        given = {name: values.pop(name) for name in shared}
        with errors_to_exit_codes():
            options = scan_options(**given)
        command(ctx, options, **values)

    wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


# -- parsing helpers ---------------------------------------------------------------------

def readable(path: Path | None, option: str) -> str | None:
    """An existing file's path as a string, or a usage error naming the option."""
    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"{option}: no such file {path}")
    return str(path)


def identities(values: list[str] | None) -> tuple[Identity, ...]:
    parsed = tuple(Identity.parse(v) for v in values or ())
    names = [i.name for i in parsed]
    if len(set(names)) != len(names):
        raise UsageError("--identity names must be unique")
    return parsed


def split(values: list[str] | None) -> tuple[str, ...]:
    """Repeated options and comma lists alike: `--checks a,b --checks c`."""
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def settings(values: list[str] | None) -> dict[str, str]:
    """--set NAME=VALUE pairs as given; the engine checks each name and value against the
    setting a check declares (`engine.runner.resolve_settings`), so a typo is exit 2."""
    parsed_settings: dict[str, str] = {}
    for value in values or ():
        name, sep, raw = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set takes NAME=VALUE, got {value!r}")
        parsed_settings[name.strip()] = raw.strip()
    return parsed_settings
