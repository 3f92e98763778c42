"""A plain install scans; a feature whose extra is missing names the extra to install.

The optional packages are made unimportable in the `apivigil` subprocess (`sys.modules[name] =
None` is what Python does for a module that is not installed: `import` raises
ModuleNotFoundError), so these tests run the real command as a plain `pip install apivigil`
would have it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

# click comes with Flask; a plain install has only the copy typer vendors.
OPTIONAL = ("flask", "werkzeug", "click", "bcrypt", "trustme", "psycopg", "psycopg_binary",
            "openapi_spec_validator", "jsonschema_path", "jsonschema", "scipy", "numpy")
SPEC = Path(__file__).parent / "fixtures" / "specs" / "v30"


def plain_apivigil(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    blocked = ", ".join(repr(name) for name in OPTIONAL)
    code = (f"import sys\nfor name in ({blocked},):\n    sys.modules[name] = None\n"
            "from apivigil.cli import main\nmain()")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120, check=False, cwd=cwd,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


def test_a_plain_install_scans(serve, tmp_path):
    app = Flask("plain")
    app.get("/api/items")(lambda: {"items": [1, 2]})
    http = serve(app)
    result = plain_apivigil("scan", http.url + "/api/items", "-f", "json", "--db",
                            str(tmp_path / "history.db"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    statuses = {o["check"]: o["status"] for o in report["checks"]}
    assert statuses["authentication.user-enumeration-timing"] != "error"
    assert "error" not in statuses.values(), statuses
    assert plain_apivigil("history", "--db", str(tmp_path / "history.db"),
                          "--json").stdout.count('"grade"') == 1


def test_demo_without_its_extra_names_it():
    result = plain_apivigil("demo")
    assert result.returncode == 2
    assert result.stderr == ("apivigil: error: apivigil demo needs the optional dependencies "
                             "of apivigil[demo]: pip install 'apivigil[demo]'\n")


def test_strict_audit_without_its_extra_names_it():
    spec = next(SPEC.glob("*.yaml"))
    assert plain_apivigil("audit", str(spec)).returncode in (0, 1)  # the plain audit works
    result = plain_apivigil("audit", str(spec), "--strict")
    assert result.returncode == 2
    assert result.stderr.startswith("apivigil: error: strict validation (audit --strict) needs "
                                    "the optional dependencies of apivigil[strict]")


def test_postgres_history_without_its_extra_names_it():
    result = plain_apivigil("history", "--db", "postgresql://scanner@127.0.0.1:1/apivigil")
    assert result.returncode == 2
    assert result.stderr == ("apivigil: error: a PostgreSQL history (--db) needs the optional "
                             "dependencies of apivigil[postgres]: pip install "
                             "'apivigil[postgres]'\n")
