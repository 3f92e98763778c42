"""The HTML report: one self-contained file to open in a browser or attach to a CI run.

Grade, category scores as an inline SVG bar chart, findings with evidence and fix, and the
outcome of every check. No external assets, no JavaScript, and a Content-Security-Policy that
forbids scripts anyway. Every value from the report, above all target-controlled text (response
excerpts, URLs, header values), goes through jinja2's autoescaping: a hostile API cannot put
markup into the page (`tests/reporting/test_html_browser.py` proves it in headless Chromium).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apivigil.core.models import Report, Severity
from apivigil.reporting import ReportFormat

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).with_name("templates")
CHART = {"label_width": 200, "bar_width": 460, "row": 26, "width": 900}
GRADE_COLOUR = {"A": "#1d8a3a", "B": "#5a9e2f", "C": "#d19a00", "D": "#e0531f", "F": "#b3001b"}



@cache
def _environment() -> Environment:
    """jinja2 is imported on first use: registering the format costs nothing."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every {{ }} is escaped, whatever the template file is called
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(report: Report, *, expand_evidence: bool = False) -> str:
    """The whole report as one HTML document (evidence folded, unless printing it)."""
    return _environment().get_template("report.html.j2").render(
        **_context(report), expand_evidence=expand_evidence)


def _context(report: Report) -> dict[str, Any]:
    scored = [c for c in report.categories if c.score is not None]
    bars = [
        {
            "name": c.category.value,
            "score": c.score,
            "grade": c.grade,
            "findings": c.findings,
            "y": i * CHART["row"],
            "width": round(CHART["bar_width"] * (c.score or 0) / 100, 1),
            "colour": GRADE_COLOUR.get(c.grade or "", "#777"),
        }
        for i, c in enumerate(scored)
    ]
    counts = report.count_by_severity()
    return {
        "report": report,
        "duration": (report.finished_at - report.started_at).total_seconds(),
        "counts": [(s.value, counts[s]) for s in Severity],
        "bars": bars,
        "chart": {**CHART, "height": max(1, len(bars)) * CHART["row"]},
        "untested": [c.category.value for c in report.categories if c.score is None],
    }


FORMAT = ReportFormat("html", (".html", ".htm"), render)
