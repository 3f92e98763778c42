"""The configuration file: every command-line option, written down once per project.

apivigil reads `--config FILE`, or else `.apivigil.toml` in the current directory, or else the
`[tool.apivigil]` table of `./pyproject.toml`. Keys are the long option names, with dashes or
underscores (`fail-on = "high"`, `max-requests = 300`, `output = ["report.sarif",
"report.html"]`, `checks = ["encryption"]`); the URL can be given as `url`. Top-level keys
apply to every command that has such an option; a table named after a command (`[demo]`,
`[scan]`) applies to that command only and wins over the top level. An option given on the
command line always wins over the file (and an environment variable such as APIVIGIL_USER
wins over the file too). Unknown keys are an error, so a typo is never silently ignored. File
paths in it (cacert, spec, output, baseline) are relative to the current directory.

Credentials never live in the file: a `user` key, or a header whose name or value looks like a
credential (Authorization, Cookie, *token*, *key*, *secret*...), is refused with a pointer to
the `APIVIGIL_USER` environment variable or to `-H` on the command line. The `[[ignore]]`
list (accepted risks) is described in `apivigil.store.suppress`.

This module belongs to the CLI layer: it turns a file into click's `default_map` (the command
passed to `defaults_for` is a click command; its type is typer's vendored click, hence `Any`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apivigil.core.errors import UsageError
from apivigil.core.redaction import is_secret_header
from apivigil.store.suppress import IgnoreRule

CONFIG_NAME = ".apivigil.toml"
PYPROJECT = "pyproject.toml"
SPECIAL_KEYS = frozenset({"ignore"})


@dataclass(frozen=True)
class FileConfig:
    """What one config file says: option defaults (top level and per command) and ignores."""

    source: Path | None
    options: dict[str, Any]
    commands: dict[str, dict[str, Any]]
    ignore: tuple[IgnoreRule, ...]

    def defaults_for(self, command: Any) -> dict[str, Any]:
        """click `default_map` entries for one command: only the options it has."""
        params = {p.name: p for p in command.params if p.name}
        merged = {**self.options, **self.commands.get(command.name or "", {})}
        defaults: dict[str, Any] = {}
        for key, value in merged.items():
            param = params.get(key)
            if param is None:
                continue
            if getattr(param, "multiple", False) and not isinstance(value, list):
                value = [value]
            defaults[key] = value
        return defaults


EMPTY = FileConfig(source=None, options={}, commands={}, ignore=())


def discover(directory: Path | None = None) -> Path | None:
    """`.apivigil.toml`, else a pyproject.toml with a [tool.apivigil] table, else None."""
    directory = directory or Path.cwd()
    candidate = directory / CONFIG_NAME
    if candidate.is_file():
        return candidate
    pyproject = directory / PYPROJECT
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return None  # someone else's broken pyproject is not our error unless it is ours
        if isinstance(data.get("tool"), dict) and "apivigil" in data["tool"]:
            return pyproject
    return None


def load(path: Path, known: dict[str, set[str]]) -> FileConfig:
    """Read and validate one file. `known` maps each command name to its option names."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--config: cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    where = str(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        data = tool.get("apivigil", {}) if isinstance(tool, dict) else {}
        where = f"{path} [tool.apivigil]"
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a table of options")
    every_option = set().union(*known.values()) if known else set()
    options: dict[str, Any] = {}
    commands: dict[str, dict[str, Any]] = {}
    ignore: tuple[IgnoreRule, ...] = ()
    for raw_key, value in data.items():
        key = _norm(raw_key)
        if key == "ignore":
            entries = value if isinstance(value, list) else [value]
            ignore = tuple(IgnoreRule.parse(entry, where) for entry in entries)
        elif key in known and isinstance(value, dict):
            table = {_norm(k): v for k, v in value.items()}
            _validate(table, known[key], f"{where} [{raw_key}]")
            commands[key] = table
        else:
            options[key] = value
    _validate(options, every_option, where)
    return FileConfig(source=path, options=options, commands=commands, ignore=ignore)


def _validate(options: dict[str, Any], allowed: set[str], where: str) -> None:
    if "user" in options or "identity" in options:
        raise UsageError(f"{where}: credentials do not belong in a config file; set the "
                         "APIVIGIL_USER environment variable (USER:PASSWORD) or pass "
                         "--identity on the command line instead")
    headers = options.get("header") or []
    for header in headers if isinstance(headers, list) else [headers]:
        name, _, value = str(header).partition(":")
        if is_secret_header(name.strip()) or _looks_secret(value):
            raise UsageError(f"{where}: header {name.strip()!r} looks like a credential; pass "
                             "it with -H on the command line from an environment variable, "
                             "not in a config file")
    unknown = sorted(set(options) - allowed - SPECIAL_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown option(s) {', '.join(unknown)} "
                         "(keys are the long option names, e.g. fail-on, max-requests)")


def _looks_secret(value: str) -> bool:
    scheme = value.strip().split(" ", 1)[0].lower()
    return scheme in ("basic", "bearer", "token", "digest")


def _norm(key: str) -> str:
    return key.strip().replace("-", "_")
