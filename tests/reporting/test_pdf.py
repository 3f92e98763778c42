"""The PDF report, printed by headless Chromium and read back as a person would: pages rendered
to PNG by pdftoppm (kept as an artifact) and the text extracted by pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from apivigil.reporting import pdf, render_file
from tests.reporting.tools import chromium, poppler

ARTIFACTS = Path(__file__).resolve().parents[2] / ".apivigil" / "screenshots"


def _read(document: bytes, tmp_path: Path) -> tuple[str, list[Path]]:
    to_png, to_text = poppler()
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    subprocess.run([to_png, "-png", "-r", "60", str(path), str(tmp_path / "page")], check=True,
                   timeout=60)
    text = subprocess.run([to_text, "-layout", str(path), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    return text, sorted(tmp_path.glob("page*.png"))


def test_pdf_shows_grade_findings_evidence_and_fix(hostile_report, tmp_path):
    chromium()
    document = pdf.render(hostile_report)
    assert document.startswith(b"%PDF-")

    text, pages = _read(document, tmp_path)
    assert pages, "pdftoppm rendered no page"
    assert all(page.stat().st_size > 2000 for page in pages)  # real pixels, not blank stubs
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pages[0], ARTIFACTS / "report-pdf-page1.png")

    assert "apivigil security report" in text
    # The big grade tile stands left of the target line, as on the HTML page.
    assert re.search(rf"^\s*{hostile_report.grade}\s+Target https://127\.0\.0\.1:", text, re.M)
    assert "HSTS header missing" in text
    hsts = next(f for f in hostile_report.findings if f.title == "HSTS header missing")
    assert hsts.remediation.summary.split(".")[0][:40] in " ".join(text.split())
    # The target's markup is printed as text (evidence unfolded), not executed.
    assert "<script>document.title='PWNED'" in " ".join(text.split()).replace("\u2019", "'")


def test_render_file_gives_pdf_bytes_and_text_formats_unchanged(tidy_report):
    chromium()
    assert render_file("pdf", tidy_report).startswith(b"%PDF-")
    assert render_file("json", tidy_report).decode().startswith("{")


def test_missing_browser_is_one_clear_error(tidy_report, monkeypatch):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "no-such-browser-apivigil")
    try:
        pdf.render(tidy_report)
    except Exception as exc:
        assert type(exc).__name__ == "UsageError"
        assert "no such executable" in str(exc)
    else:
        raise AssertionError("a missing browser must be an error")


def test_cli_writes_the_pdf_and_checks_for_chromium_before_scanning(serve, authority, tmp_path):
    from tests.fixtures.apps.reports import hostile_api
    from tests.reporting.cli import apivigil

    chromium()
    server = serve(hostile_api(), tls="modern")
    target = tmp_path / "report.pdf"
    result = apivigil("scan", server.url + "/", "--cacert", str(authority.ca_path),
                      "--checks", "encryption.hsts", "--no-store", "-o", str(target),
                      "-o", str(tmp_path / "report.json"))
    assert result.returncode == 0, result.stderr
    text, pages = _read(target.read_bytes(), tmp_path)
    assert pages and "HSTS header missing" in text

    # No browser: one line, exit 2, and nothing was scanned (port 9 would have been exit 3).
    missing = apivigil("scan", "https://127.0.0.1:9/", "-o", str(tmp_path / "x.pdf"),
                       env={"APIVIGIL_CHROMIUM": "no-such-browser-apivigil"})
    assert missing.returncode == 2
    assert missing.stderr.startswith("apivigil: error: APIVIGIL_CHROMIUM=")
    assert len(missing.stderr.strip().splitlines()) == 1
