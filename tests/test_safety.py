"""The scanner's own safety: a known password never appears in any output, and never travels
over cleartext HTTP, even against an API that echoes it back."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys

from flask import Flask, jsonify, request

from apivigil.core.config import Credentials
from tests.fixtures.apps.basic import PASSWORD, USER, challenge, valid_credentials
from tests.support import Recorder, port_of

SECRET_FORMS = (PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
                base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode().rstrip("="))


def echoing_api() -> Flask:
    """Protected, served on both sides, and echoes the credential in every way it can."""
    app = Flask("echo")

    @app.get("/api/me")
    def me():
        if not valid_credentials():
            return challenge()
        auth = request.authorization
        return jsonify(user=auth.username, password=auth.password,
                       header=request.headers["Authorization"])

    return app


def assert_no_secret(text: str) -> None:
    for form in SECRET_FORMS:
        assert form not in text


def test_password_in_no_output_and_never_over_http(serve, authority, tmp_path, caplog):
    app = echoing_api()
    http_side = Recorder(app)
    https = serve(app, tls="modern")
    http = serve(http_side)
    common = ["scan", https.url + "/api/me", "--cacert", str(authority.ca_path),
              "--http-port", str(port_of(http.url))]
    env = {**os.environ, "NO_COLOR": "1", "APIVIGIL_USER": f"{USER}:{PASSWORD}"}
    outputs = []
    for extra in (["--format", "json"], ["--format", "terminal", "-v"],
                  ["--format", "json", "-o", str(tmp_path / "r.json")]):
        result = subprocess.run([sys.executable, "-m", "apivigil", *common, *extra],
                                capture_output=True, text=True, timeout=120, env=env,
                                check=False)
        assert result.returncode == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    outputs.append((tmp_path / "r.json").read_text())
    assert "[REDACTED]" in outputs[0]  # the evidence was there, masked
    for text in outputs:
        assert_no_secret(text)
    # The cleartext side was probed, but only ever with dummy credentials.
    assert http_side.requests, "the HTTP twin should have been probed"
    for received in http_side.requests:
        assert_no_secret(received["authorization"] + received["headers"])

    # Library use with debug logging: nothing leaks into log records either.
    from apivigil.core.config import ScanOptions
    from apivigil.engine.runner import Scanner

    caplog.set_level(logging.DEBUG)
    report = Scanner(ScanOptions(url=https.url + "/api/me", cacert=str(authority.ca_path),
                                 http_port=port_of(http.url), rate=0,
                                 credentials=Credentials(USER, PASSWORD))).run()
    assert_no_secret(report.model_dump_json())
    assert_no_secret(caplog.text)
    assert_no_secret(json.dumps([repr(f) for f in report.findings]))


def test_credentials_withheld_from_cleartext_target(serve):
    recorder = Recorder(echoing_api())
    http = serve(recorder)
    result = subprocess.run(
        [sys.executable, "-m", "apivigil", "scan", http.url + "/api/me", "-u",
         f"{USER}:{PASSWORD}", "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "credentials withheld" in result.stderr
    report = json.loads(result.stdout)
    assert any("credentials withheld" in n for n in report["notices"])
    for received in recorder.requests:
        assert_no_secret(received["authorization"] + received["headers"])
    assert_no_secret(result.stdout + result.stderr)


def test_cleartext_allowed_only_when_asked(serve):
    recorder = Recorder(echoing_api())
    http = serve(recorder)
    result = subprocess.run(
        [sys.executable, "-m", "apivigil", "scan", http.url + "/api/me", "-u",
         f"{USER}:{PASSWORD}", "--allow-cleartext-credentials", "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    sent = [r["authorization"] for r in recorder.requests]
    assert any(SECRET_FORMS[1] in value for value in sent)  # the user asked for it
    assert_no_secret(result.stdout + result.stderr)  # ...and it is still never printed


def test_credential_header_withheld_from_cleartext_target(serve):
    token = "tok-" + "9f8e7d6c5b4a"
    recorder = Recorder(echoing_api())
    http = serve(recorder)
    result = subprocess.run(
        [sys.executable, "-m", "apivigil", "scan", http.url + "/api/me", "-H",
         f"Authorization: Bearer {token}", "-H", "Accept: application/json", "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "header(s) Authorization withheld" in result.stderr
    assert recorder.requests
    assert all(token not in r["headers"] for r in recorder.requests)
    assert token not in result.stdout + result.stderr
