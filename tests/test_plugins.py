"""Third-party checks and formats plug in through entry points, as the built-in ones do.

The example plugin (tests/plugins/apivigil-example-plugin, installed by `make setup`) adds the
check `example.security-txt` and the report format `csv`. Here it is used as a user would: the
real `apivigil` command, with plugins enabled, against real servers on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata

import pytest
from flask import Flask

from apivigil.checks.registry import from_entry_points
from apivigil.core.plugins import CHECKS_GROUP, FORMATS_GROUP, plugins

PLUGIN = "apivigil-example-plugin"


@pytest.fixture(autouse=True)
def _plugins_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APIVIGIL_NO_PLUGINS", raising=False)
    try:
        metadata.distribution(PLUGIN)
    except metadata.PackageNotFoundError:
        pytest.fail(f"{PLUGIN} is not installed in this environment: run `make setup`")


def apivigil(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "APIVIGIL_NO_PLUGINS"}
    return subprocess.run([sys.executable, "-m", "apivigil", *args], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**base, "NO_COLOR": "1", **(env or {})})


def api(security_txt: str | None) -> Flask:
    app = Flask("plugin-target")

    @app.get("/api/items")
    def items() -> dict[str, list[int]]:
        return {"items": [1, 2]}

    if security_txt is not None:
        @app.get("/.well-known/security.txt")
        def security() -> tuple[str, int, dict[str, str]]:
            return security_txt, 200, {"Content-Type": "text/plain"}

    return app


def test_plugin_check_is_listed_with_its_package():
    result = apivigil("checks")
    assert result.returncode == 0, result.stderr
    line = next(i for i, text in enumerate(result.stdout.splitlines())
                if text.startswith("example.security-txt "))
    assert f"[plugin: {PLUGIN}]" in result.stdout.splitlines()[line + 1]
    assert "encryption.hsts" in result.stdout  # the built-in families are still there


def test_plugin_check_runs_and_is_reported(serve):
    http = serve(api(security_txt=None))
    result = apivigil("scan", http.url + "/api/items", "--checks", "example.security-txt",
                      "-f", "json", "--no-store")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(o["check"], o["status"]) for o in report["checks"]] == [
        ("example.security-txt", "completed")]
    assert [(f["id"], f["severity"]) for f in report["findings"]] == [
        ("inventory.security-txt-missing", "low")]
    assert "/.well-known/security.txt" in report["findings"][0]["evidence"]["request"]


def test_plugin_check_is_silent_when_security_txt_has_a_contact(serve):
    http = serve(api(security_txt="Contact: mailto:security@example.test\n"))
    result = apivigil("scan", http.url + "/api/items", "--checks", "example.security-txt",
                      "-f", "json", "--no-store")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(o["check"], o["status"]) for o in report["checks"]] == [
        ("example.security-txt", "completed")]
    assert report["findings"] == []


def test_plugin_format_writes_by_name_and_by_extension(serve, tmp_path):
    http = serve(api(security_txt=None))
    out = tmp_path / "findings.csv"
    result = apivigil("scan", http.url + "/api/items", "--checks", "example.security-txt",
                      "-f", "csv", "-o", str(out), "--no-store")
    assert result.returncode == 0, result.stderr
    expected = ("severity,id,method,location,title\n"
                f"low,inventory.security-txt-missing,GET,{http.url}/.well-known/security.txt,"
                "No security.txt with a Contact\n")
    assert result.stdout == expected
    assert out.read_text() == expected
    assert "csv        .csv  [plugin: apivigil-example-plugin]" in apivigil("formats").stdout


def test_no_plugins_switch_keeps_to_apivigils_own():
    result = apivigil("checks", env={"APIVIGIL_NO_PLUGINS": "1"})
    assert result.returncode == 0, result.stderr
    assert "example.security-txt" not in result.stdout
    assert "encryption.hsts" in result.stdout


def test_builtin_families_register_through_the_same_entry_points():
    found = plugins(CHECKS_GROUP)
    own = {p.name for p in found if p.builtin}
    assert {"encryption", "authentication", "authorization", "inventory"} <= own
    assert [p.name for p in found if not p.builtin] == ["example"]
    assert {"terminal", "json", "sarif", "html"} <= {p.name for p in plugins(FORMATS_GROUP)}


def test_a_broken_or_clashing_plugin_is_left_out_with_a_notice():
    from apivigil.checks import encryption
    from apivigil.core.plugins import Plugin

    def fake(name: str, value: str) -> Plugin:
        entry_point = metadata.EntryPoint(name, value, CHECKS_GROUP)
        return Plugin(name, value, "someone-else", entry_point)

    own = [p for p in plugins(CHECKS_GROUP) if p.builtin]
    registry = from_entry_points([*own, fake("broken", "no_such_module_xyz:CHECKS"),
                                  fake("clash", "apivigil.checks.encryption:CHECKS")])
    assert "encryption.hsts" in registry.ids
    assert len(registry.problems) == 1 + len(encryption.CHECKS)
    assert "check plugin 'broken' from someone-else was not loaded: ModuleNotFoundError" in (
        registry.problems[0])
    assert "check encryption.hsts from someone-else was not loaded: a check with that id is " \
        "already registered" in registry.problems
