"""Report writers: one module per format, each `render(report: Report) -> str`.

Each writer module exports `FORMAT`, a `ReportFormat` (name, file extensions, render), and is
registered as an `apivigil.formats` entry point in pyproject.toml, exactly as a third-party
format is. `writer(name)` imports only the format asked for (jinja2 is not needed for JSON);
`format_for_path` picks the format from a file extension (`-o report.sarif -o report.html`).
The terminal writer also prints to a rich console (`terminal.render`); `terminal.render_text`
is its plain-text form for files. A format whose files are not text (PDF: headless Chromium
printing the HTML report) gives `render_bytes`; `render_file` gives any format's file content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from apivigil.core.errors import UsageError
from apivigil.core.models import Report
from apivigil.core.plugins import FORMATS_GROUP, Plugin, plugins

Writer = Callable[[Report], str]


@dataclass(frozen=True)
class ReportFormat:
    """A report format: its name (`--format NAME`), file extensions (`-o x.EXT`) and writer.

    `render_verbose`, when given, is used with `--verbose` (full evidence); otherwise `render`.
    `render_bytes`, when given, makes it a file-only format (`-o`, not stdout): its files are
    bytes (`render` then only explains that).
    """

    name: str
    extensions: tuple[str, ...]
    render: Writer
    render_verbose: Writer | None = None
    render_bytes: Callable[[Report], bytes] | None = None

    def writer(self, *, verbose: bool = False) -> Writer:
        return (self.render_verbose or self.render) if verbose else self.render


@cache
def _entry_points() -> dict[str, Plugin]:
    found: dict[str, Plugin] = {}
    for plugin in plugins(FORMATS_GROUP):
        found.setdefault(plugin.name, plugin)  # a built-in name cannot be taken over
    return found


def format_names() -> tuple[str, ...]:
    """Every format name, apivigil's own first; no writer is imported."""
    return tuple(_entry_points())


@cache
def get_format(name: str) -> ReportFormat:
    """The format called `name`; an unknown or broken one is a usage error (exit 2)."""
    plugin = _entry_points().get(name)
    if plugin is None:
        raise UsageError(f"unknown report format {name!r} (known: {', '.join(format_names())})")
    try:
        loaded = plugin.load()
    except Exception as exc:
        if plugin.builtin:
            raise
        raise UsageError(f"report format {name!r} from {plugin.distribution} could not be "
                         f"loaded: {type(exc).__name__}: {exc}") from None
    if not isinstance(loaded, ReportFormat):
        raise UsageError(f"report format {name!r} from {plugin.distribution}: {plugin.value} "
                         "is not an apivigil.reporting.ReportFormat")
    return loaded


def origin(name: str) -> str | None:
    """The package a third-party format comes from; None for apivigil's own."""
    plugin = _entry_points().get(name)
    return None if plugin is None or plugin.builtin else plugin.distribution


def writer(name: str, *, verbose: bool = False) -> Writer:
    """The writer of one format (only that format's module is imported)."""
    return get_format(name).writer(verbose=verbose)


def format_for_path(path: Path) -> str | None:
    """The format a file name asks for (`.sarif`, `.sarif.json`, `.xml` -> junit...), or None.

    The longest matching extension wins, so `.sarif.json` is SARIF, not JSON.
    """
    file_name = path.name.lower()
    best: tuple[int, str] | None = None
    for name in format_names():
        for extension in get_format(name).extensions:
            if file_name.endswith(extension) and (best is None or len(extension) > best[0]):
                best = (len(extension), name)
    return best[1] if best else None


def render_file(name: str, report: Report, *, verbose: bool = False) -> bytes:
    """A report file's content in one format, text or not."""
    chosen = get_format(name)
    if chosen.render_bytes is not None:
        return chosen.render_bytes(report)
    return chosen.writer(verbose=verbose)(report).encode("utf-8")
