"""`apivigil audit SPEC`, and scans whose spec cannot be used: clear errors and exit 3."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flask import Flask, Response, jsonify

from tests.fixtures.apps.spec_apps import transport_spec

SPECS = Path(__file__).parent.parent / "fixtures" / "specs"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apivigil", *args], capture_output=True,
                          text=True, timeout=120, check=False, env={**os.environ, "NO_COLOR": "1"})


def test_audit_reports_findings_with_fail_on_exit_codes(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(transport_spec("https://api.example.com",
                                              "http://api.example.com")))
    out = tmp_path / "report.json"
    result = run_cli("audit", str(spec), "-o", str(out), "--fail-on", "high")
    assert result.returncode == 1, result.stderr
    report = json.loads(out.read_text())
    assert report["requests"] == 0
    ids = {f["id"]: f["severity"] for f in report["findings"]}
    assert ids == {"encryption.spec-credentials-over-http": "high"}
    assert [o["status"] for o in report["operations"]] == ["skipped"]


def test_audit_of_a_well_declared_spec_passes(tmp_path):
    result = run_cli("audit", str(SPECS / "v31" / "openapi.json"), "--fail-on", "low")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_audit_of_unreadable_spec_exits_3(tmp_path):
    result = run_cli("audit", str(tmp_path / "missing.yaml"))
    assert result.returncode == 3
    assert result.stderr.startswith("apivigil: error: spec file not found")


def test_scan_with_spec_url_answering_404_exits_3(serve):
    app = Flask("no-spec")
    app.get("/")(lambda: jsonify(ok=True))
    http = serve(app)
    result = run_cli("scan", http.url + "/", "--spec", http.url + "/openapi.json")
    assert result.returncode == 3
    assert "cannot fetch spec" in result.stderr and "HTTP 404" in result.stderr
    assert "Traceback" not in result.stderr


def test_scan_with_unreadable_or_invalid_spec_exits_3(serve, tmp_path):
    app = Flask("api")
    app.get("/")(lambda: jsonify(ok=True))
    http = serve(app)
    result = run_cli("scan", http.url + "/", "--spec", str(tmp_path / "nope.json"))
    assert result.returncode == 3 and "spec file not found" in result.stderr
    empty = tmp_path / "empty.yaml"
    empty.write_text("openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n")
    result = run_cli("scan", http.url + "/", "--spec", str(empty))
    assert result.returncode == 3 and "declares no operations" in result.stderr


def test_audit_of_a_spec_url_follows_relative_refs(serve):
    app = Flask("spec-files")

    @app.get("/spec/<name>")
    def spec_file(name):
        return Response((SPECS / "v2" / name).read_text(), content_type="application/yaml")

    http = serve(app)
    result = run_cli("audit", http.url + "/spec/swagger.yaml", "-f", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {o["path"] for o in report["operations"]} == {"/orders/{orderId}", "/orders"}
    # Swagger 2 body schema (from definitions.yaml) is open to extra properties
    assert [f["id"] for f in report["findings"]] == ["inventory.open-request-body"]


def test_strict_audit_validates_against_the_openapi_schemas(tmp_path):
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                                   "paths": {"/a": {"get": {"responses": {"200": {}}}}}}))
    assert run_cli("audit", str(invalid)).returncode == 0  # the quick load accepts it
    result = run_cli("audit", str(invalid), "--strict")
    assert result.returncode == 3
    assert "is not valid" in result.stderr and "Traceback" not in result.stderr
    # a valid multi-file spec passes, its relative references read by apivigil's loader
    assert run_cli("audit", str(SPECS / "v30" / "openapi.yaml"), "--strict").returncode == 0
