"""Markdown for a PR comment: rendered by a real CommonMark parser with raw HTML allowed (the
worst case), no markup, link or mention from the target survives."""

from __future__ import annotations

from markdown_it import MarkdownIt

from apivigil.reporting import markdown


def rendered(report) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(
        markdown.render(report))


def test_grade_counts_and_findings(hostile_report):
    text = markdown.render(hostile_report)
    assert text.startswith(f"## apivigil: grade **{hostile_report.grade}**")
    assert "| 🟨 medium | `encryption.hsts-missing` |" in text
    assert "**Fix:**" in text and "@app.after_request" in text


def test_target_text_cannot_inject_markup(hostile_report):
    html = rendered(hostile_report)
    assert "<script" not in html
    assert "<img" not in html and "<svg" not in html
    assert 'id="injected-by-target"' not in html
    assert 'href="https://evil.example/' not in html
    # ...while the evidence is still there, as text.
    assert "&lt;script&gt;document.title=" in html


def test_clean_scan_says_so(tidy_report):
    assert "No findings." in markdown.render(tidy_report)
