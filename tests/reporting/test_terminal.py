"""The terminal report at 80 columns (CI logs) and the plan line under the grade."""

from __future__ import annotations

from apivigil.reporting.terminal import render_text


def test_fix_code_is_never_wrapped_at_80_columns(hostile_report):
    text = render_text(hostile_report, verbose=True, width=80)
    shown = [e.code for f in hostile_report.findings for e in f.remediation.examples]
    assert shown, "the fixture must produce a finding with code for its fix"
    long_lines = [line for code in shown for line in code.splitlines() if len(line) > 76]
    assert long_lines, "the fixture's Flask code must have a line wider than the panel"
    output_lines = [line.rstrip() for line in text.splitlines()]
    for code in shown:
        for line in code.rstrip().splitlines():
            assert line.rstrip() in output_lines  # whole, so it can be copied as Python


def test_header_says_how_much_of_the_plan_ran(hostile_report):
    text = render_text(hostile_report)
    assert f"Checks   {hostile_report.plan_summary()}" in text
