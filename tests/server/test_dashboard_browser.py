"""The dashboard as a person uses it, in headless Chromium: log in, add the demo API as a
target, scan it now, see the grade, the trend chart and the findings; a screenshot is kept in
.apivigil/screenshots/. No script runs on the dashboard's pages (none is needed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from apivigil.demo.apps import DEMO_PASSWORD, DEMO_USER
from apivigil.demo.server import serve_demo
from tests.reporting.tools import chromium
from tests.server.conftest import ADMIN_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".apivigil" / "screenshots"


@pytest.fixture
def browser(tmp_path):
    binary, driver_path = chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--ignore-certificate-errors",
                 "--disable-dev-shm-usage", "--window-size=1280,1800",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def heading_becomes(browser, text: str, selector: str = "h1") -> None:  # type: ignore[no-untyped-def]
    """Wait for the next page (a click navigates; the old page may still be there a moment)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda driver: text in driver.find_element("css selector", selector).text)


def test_log_in_add_the_demo_scan_it_and_see_the_result(dashboard, browser, monkeypatch):
    monkeypatch.setenv("APIVIGIL_DEMO_CREDENTIAL", f"{DEMO_USER}:{DEMO_PASSWORD}")
    by_id = "id"
    with serve_demo(hardened=False) as demo:
        browser.get(dashboard.url + "/")
        assert "/login" in browser.current_url  # not logged in yet
        browser.find_element(by_id, "username").send_keys("admin")
        browser.find_element(by_id, "password").send_keys(ADMIN_PASSWORD)
        browser.find_element("css selector", "#login button").click()
        heading_becomes(browser, "Targets")

        browser.find_element(by_id, "target-name").send_keys("demo")
        browser.find_element(by_id, "target-url").send_keys(demo.https_url)
        browser.find_element(by_id, "target-spec").send_keys(demo.spec_url)
        browser.find_element(by_id, "target-cacert").send_keys(str(demo.ca_path))
        browser.find_element(by_id, "target-credential-env").send_keys("APIVIGIL_DEMO_CREDENTIAL")
        browser.find_element("css selector", "#add-target button").click()
        heading_becomes(browser, "demo")

        browser.find_element(by_id, "scan-now").click()
        heading_becomes(browser, "queued", ".flash")
        deadline = time.monotonic() + 240
        while not browser.find_elements("css selector", "#scans a") and \
                time.monotonic() < deadline:
            time.sleep(2)
            browser.refresh()
        rows = browser.find_elements("css selector", "#scans a")
        assert rows, "the scan did not finish in time"
        rows_text = "Scan " + rows[0].text  # "#1" -> the scan page's heading "Scan #1"
        points = browser.execute_script("return document.querySelectorAll('#trend circle').length")
        assert points == 1
        grade = browser.find_element("css selector", "#scans .grade-chip").text
        assert grade in "ABCDF"
        assert browser.find_elements("css selector", "#categories tr")  # per-category history

        rows[0].click()
        heading_becomes(browser, rows_text)
        assert browser.find_element(by_id, "grade").text == grade
        findings = browser.find_element(by_id, "findings").text
        assert "Fix:" in findings and "Request" in findings and "Response" in findings
        assert grade != "A"  # the vulnerable demo has real problems
        assert DEMO_PASSWORD not in browser.page_source
        assert browser.execute_script("return document.querySelectorAll('script').length") == 0

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.back()
        browser.save_screenshot(str(SCREENSHOTS / "dashboard-target.png"))
        browser.forward()
        browser.save_screenshot(str(SCREENSHOTS / "dashboard-scan.png"))
