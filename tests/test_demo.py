"""End to end: `apivigil demo` finds the vulnerable API's failures; the hardened twin grades A."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from apivigil.core.models import Severity


def demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apivigil", "demo", *args],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


def test_vulnerable_demo_finds_the_motivating_failures(tmp_path):
    result = demo("--format", "json", "-o", str(tmp_path / "demo.json"), "--fail-on", "high")
    assert result.returncode == 1, result.stderr  # it has high and critical findings
    report = json.loads((tmp_path / "demo.json").read_text())
    found = {f["id"] for f in report["findings"]}
    assert {"encryption.cleartext-credentials", "encryption.hsts-missing",
            "authentication.not-enforced", "bola.adjacent-object-read"} <= found
    assert report["grade"] in ("D", "F")
    assert any(f["severity"] == "critical" for f in report["findings"])
    assert all(c["status"] != "error" for c in report["checks"]), report["checks"]


def test_hardened_demo_grades_a_with_nothing_above_low():
    result = demo("--hardened", "--format", "json", "--fail-on", "medium")
    report = json.loads(result.stdout)
    above_low = [(f["id"], f["severity"]) for f in report["findings"]
                 if Severity(f["severity"]).rank > Severity.LOW.rank]
    assert above_low == []
    assert result.returncode == 0, result.stderr
    assert report["grade"] == "A"
    assert all(c["status"] != "error" for c in report["checks"]), report["checks"]


def test_demo_terminal_report_shows_grade_and_fix():
    result = demo()
    assert result.returncode == 0, result.stderr
    assert "Grade" in result.stdout
    assert "Fix:" in result.stdout
    assert "Reproduce: curl" in result.stdout


def test_terminal_report_is_compact_by_default_and_full_with_verbose():
    short = demo().stdout
    full = demo("-v").stdout
    assert "Findings" in short and "not tested" in short  # summary table, untested areas
    assert "-v shows them" in short  # long responses are cut...
    assert "-v shows them" not in full  # ...and shown whole with -v
    assert len(full.splitlines()) > len(short.splitlines())


def test_demo_serve_removes_its_temporary_files_on_sigterm():
    import re
    import signal
    from pathlib import Path

    server = subprocess.Popen([sys.executable, "-m", "apivigil", "demo", "--serve"],
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                              env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"})
    try:
        folders = []
        assert server.stderr is not None
        for line in server.stderr:
            found = re.search(r"CA\s+(\S+)", line)
            if found:
                folders.append(Path(found.group(1)).parent)
            if "Ctrl-C stops" in line:
                break
        assert len(folders) == 2 and all(f.is_dir() for f in folders)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert not [f for f in folders if f.exists()]
    finally:
        server.kill()
        server.wait()
