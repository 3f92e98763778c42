"""Report writers: one module per format, each `render(report: Report) -> str`.

`writer` gives the writer of a format and `format_for_path` picks the format from a file
extension (`-o report.sarif -o report.html`); `render_file` gives a file's bytes, which for
`.pdf` (`pdf.render`, headless Chromium printing the HTML report) are not text. The terminal
writer also prints to a rich console (`terminal.render`); `terminal.render_text` is its
plain-text form for files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from apivigil.core.models import Report

Writer = Callable[[Report], str]
EXTENSIONS = {
    ".sarif": "sarif",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".xml": "junit",
    ".md": "markdown",
    ".txt": "terminal",
    ".pdf": "pdf",
}
FILE_ONLY_FORMATS = ("pdf",)
FORMAT_NAMES = ("terminal", "json", "sarif", "junit", "html", "markdown")


def writer(name: str, *, verbose: bool = False) -> Writer:
    """The writer of one format (imported lazily: jinja2 is not needed for JSON)."""
    if name == "json":
        from apivigil.reporting import json_report

        return json_report.render
    if name == "sarif":
        from apivigil.reporting import sarif

        return sarif.render
    if name == "junit":
        from apivigil.reporting import junit

        return junit.render
    if name == "html":
        from apivigil.reporting import html

        return html.render
    if name == "markdown":
        from apivigil.reporting import markdown

        return markdown.render
    if name == "terminal":
        from apivigil.reporting import terminal

        return lambda report: terminal.render_text(report, verbose=verbose)
    raise ValueError(f"unknown report format {name!r}")


def format_for_path(path: Path) -> str | None:
    """The format a file name asks for (`.sarif`, `.xml` -> junit...), or None."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    if suffixes == ".sarif.json":
        return "sarif"
    return EXTENSIONS.get(path.suffix.lower())


def render_file(name: str, report: Report, *, verbose: bool = False) -> bytes:
    """A report file's content in one format, PDF included."""
    if name == "pdf":
        from apivigil.reporting import pdf

        return pdf.render(report)
    return writer(name, verbose=verbose)(report).encode("utf-8")
