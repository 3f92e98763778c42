"""The HTML report of a hostile target, opened in headless Chromium: the page renders, and no
script from the target runs (none of the payloads' traces exist), and a screenshot is taken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from apivigil.reporting import html
from tests.reporting.tools import chromium

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / ".apivigil" / "screenshots"


@pytest.fixture
def browser(tmp_path):
    binary, driver_path = chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,2400",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_hostile_report_renders_and_runs_no_script(hostile_report, browser, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html.render(hostile_report), encoding="utf-8")
    browser.get(page.as_uri())

    # The page rendered: our title, the grade, the chart, the finding.
    assert browser.title == f"apivigil report: grade {hostile_report.grade}"
    assert browser.find_element("id", "grade").text == hostile_report.grade
    assert browser.execute_script("return document.querySelectorAll('svg rect').length") >= 2
    assert "HSTS header missing" in browser.find_element("tag name", "main").text
    # No payload ran or became an element.
    assert browser.execute_script("return document.querySelectorAll('script').length") == 0
    assert browser.execute_script("return document.body.dataset.pwned === undefined")
    assert browser.find_elements("id", "injected-by-target") == []
    assert browser.execute_script("return document.querySelectorAll('img, iframe').length") == 0
    # The payloads are shown as text instead.
    text = browser.execute_script("return document.body.textContent")
    assert "<script>document.title='PWNED'" in text
    assert "<img src=x onerror=" in text

    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank image
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)  # kept for a look (gitignored)
    shutil.copy(shot, SCREENSHOT_DIR / "hostile-report.png")
