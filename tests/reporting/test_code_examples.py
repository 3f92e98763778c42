"""Fix code in reports: the target's framework first, and code a user can copy from a terminal
(never wrapped, never inside a box) at 80 columns."""

from __future__ import annotations

import io
import re

from rich.console import Console

from apivigil.core.models import CodeExample, Framework, Report
from apivigil.engine.framework import recognise
from apivigil.reporting import markdown, sarif, terminal

LONG_LINE = "app.config['A_SETTING_WHOSE_NAME_IS_LONG'] = " + repr("x" * 60) + "  # over 80 columns"


def _with_examples(report: Report, framework: Framework | None) -> Report:
    """The report with its first finding's fix written for FastAPI too, long line included."""
    finding = report.findings[0]
    fastapi = CodeExample(framework=Framework.FASTAPI, code=f"from fastapi import FastAPI\n"
                          f"app = FastAPI()\n{LONG_LINE}\n", untested="an example for this test")
    remediation = finding.remediation.model_copy(
        update={"examples": (*finding.remediation.examples, fastapi)})
    first = finding.model_copy(update={"remediation": remediation})
    return report.model_copy(update={"findings": [first, *report.findings[1:]],
                                     "framework": framework})


def test_a_flask_target_is_recognised_from_what_the_scan_received(hostile_report):
    assert hostile_report.framework is Framework.FLASK


def test_recognised_from_headers_error_pages_and_spec():
    uvicorn = ((("server", "uvicorn"), ("content-type", "application/json")),
               '{"detail":"Not Found"}')
    werkzeug_page = ((), "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n"
                     "<h1>Not Found</h1>\n<p>The requested URL was not found on the server.")
    express = ((("x-powered-by", "Express"),), "<pre>Cannot GET /nope</pre>")
    assert recognise([uvicorn]) is Framework.FASTAPI
    assert recognise([werkzeug_page]) is Framework.FLASK
    assert recognise([express]) is Framework.EXPRESS
    assert recognise([((), "{}")]) is None
    spec = {"components": {"schemas": {"HTTPValidationError": {}}}}
    assert recognise([((("server", "gunicorn"),), "{}")], spec) is Framework.FASTAPI


def test_the_targets_framework_comes_first_then_the_others(hostile_report):
    as_fastapi = markdown.render(_with_examples(hostile_report, Framework.FASTAPI))
    as_flask = markdown.render(_with_examples(hostile_report, Framework.FLASK))
    def first(text: str, label: str) -> int:
        return re.search(rf"^{label}( \(untested: [^)]*\))?:$", text, re.M).start()

    assert first(as_fastapi, "FastAPI") < first(as_fastapi, "Flask")
    assert first(as_flask, "Flask") < first(as_flask, "FastAPI")
    assert "FastAPI (untested: an example for this test):" in as_flask
    rule = sarif.render(_with_examples(hostile_report, None))
    assert "In Flask:" in rule and "In FastAPI:" in rule


def test_terminal_code_is_never_wrapped_nor_boxed_at_80_columns(hostile_report):
    out = io.StringIO()
    console = Console(file=out, width=80, color_system=None)
    terminal.render(_with_examples(hostile_report, Framework.FASTAPI), console, verbose=True)
    lines = out.getvalue().splitlines()
    assert LONG_LINE in lines  # a whole line of its own: no wrap, no border, no indent
    assert "from fastapi import FastAPI" in lines
    first = hostile_report.findings[0].remediation.examples[0].code.rstrip().splitlines()
    start = lines.index(first[0])
    assert lines[start:start + len(first)] == first
