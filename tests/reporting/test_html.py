"""The HTML report as text: self-contained, escaped. (The browser test is test_html_browser.)"""

from __future__ import annotations

import re

from apivigil.reporting import html


def test_self_contained_and_escaped(hostile_report):
    page = html.render(hostile_report)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no external assets
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;" in page
    assert "<svg role=\"img\"" in page  # the category chart
    assert "HSTS header missing" in page


def test_clean_scan(tidy_report):
    page = html.render(tidy_report)
    assert "No findings." in page
    assert f'id="grade">{tidy_report.grade}<' in page
