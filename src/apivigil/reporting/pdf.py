"""The PDF report: the HTML report printed by headless Chromium, for auditors and tickets.

A real browser engine lays the page out, so the PDF shows exactly what the HTML report shows
(grade, category chart, findings with evidence and fix, check outcomes), with the evidence
unfolded. Chromium loads the page from a private temporary file with no network (the page's
CSP forbids every fetch and every script anyway) and prints it without header or footer.

Chromium is found as `chromium`, `chromium-browser`, `google-chrome` or at `$APIVIGIL_CHROMIUM`
(Debian: `apt-get install chromium`). Unlike the other writers this one returns bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from apivigil.core.errors import ScanError, UsageError
from apivigil.core.models import Report
from apivigil.reporting import ReportFormat, html

CHROMIUM_ENV = "APIVIGIL_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 60.0


def find_chromium() -> str:
    """The browser that prints the PDF; a one-line error when there is none."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise UsageError(f"{CHROMIUM_ENV}={configured}: no such executable")
        return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise UsageError("PDF reports need headless Chromium: install it (Debian: apt-get install "
                     f"chromium) or set {CHROMIUM_ENV} to the browser")


def render(report: Report) -> bytes:
    """The report as a PDF document."""
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix="apivigil-pdf-") as tmp:
        work = Path(tmp)
        page, pdf = work / "report.html", work / "report.pdf"
        page.write_text(html.render(report, expand_evidence=True), encoding="utf-8")
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-dev-shm-usage", "--no-pdf-header-footer",
            f"--user-data-dir={work / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri(),
        ]
        try:
            done = subprocess.run(  # noqa: S603 - our own argv, no shell
                command, capture_output=True, timeout=TIMEOUT, check=False,
                stdin=subprocess.DEVNULL, cwd=work)
        except subprocess.TimeoutExpired:
            raise ScanError(f"Chromium did not print the PDF report within {TIMEOUT:.0f} s") \
                from None
        except OSError as exc:
            raise ScanError(f"cannot run {browser}: {exc.strerror}") from None
        if not pdf.is_file() or pdf.stat().st_size == 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()
            last = detail[-1] if detail else f"exit status {done.returncode}"
            raise ScanError(f"Chromium did not print the PDF report: {last}")
        return pdf.read_bytes()


def _not_for_stdout(report: Report) -> str:
    raise UsageError("the PDF report is a file: write it with -o report.pdf")


FORMAT = ReportFormat("pdf", (".pdf",), _not_for_stdout, render_bytes=render)
