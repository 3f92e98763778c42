"""External tools the report and history tests use, and the rule for when they are missing.

`make system-deps` installs them (Chromium, ChromeDriver, PostgreSQL, poppler-utils, Redis, the
SARIF Multitool). In CI (CI=true) a missing tool FAILS the test, so a broken set-up cannot pass
as green; on a developer's machine the test is skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MULTITOOL_DIR = ROOT / ".tools" / "node_modules" / "@microsoft" / "sarif-multitool-linux"
MULTITOOL = MULTITOOL_DIR / "Sarif.Multitool"
SARIF_SCHEMA = MULTITOOL_DIR / "sarif-2.1.0.json"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, what: str) -> None:
    """Fail (CI) or skip (elsewhere) when a tool is not installed."""
    if available:
        return
    message = f"{what} is not installed (run `make system-deps`)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def chromium() -> tuple[str, str]:
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    require(bool(browser and driver), "chromium and chromium-driver (Debian)")
    return str(browser), str(driver)


def poppler() -> tuple[str, str]:
    """pdftoppm and pdftotext, to look at a PDF report as a reader would."""
    to_png, to_text = shutil.which("pdftoppm"), shutil.which("pdftotext")
    require(bool(to_png and to_text), "poppler-utils (Debian)")
    return str(to_png), str(to_text)


def multitool() -> Path:
    require(MULTITOOL.is_file() and os.access(MULTITOOL, os.X_OK),
            "the SARIF Multitool (npm @microsoft/sarif-multitool in .tools/)")
    return MULTITOOL


def sarif_schema() -> Path:
    require(SARIF_SCHEMA.is_file(), "the SARIF 2.1.0 schema (shipped in the npm SARIF Multitool)")
    return SARIF_SCHEMA


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    require(bool(found), "PostgreSQL server (Debian package postgresql)")
    return Path(found[-1]).parent
