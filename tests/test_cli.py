"""The command line as a user or a CI script meets it: exit codes, errors, outputs."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
from flask import Flask, jsonify

from apivigil.reporting.json_report import published_schema
from tests.fixtures.apps.basic import protected_api
from tests.support import Recorder, port_of


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "apivigil", *args], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})})


def assert_clean_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("apivigil: error: ") or "Error" in result.stderr
    assert text in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_url_is_usage_error():
    assert_clean_error(run_cli("scan", "ftp://127.0.0.1/"), 2, "not an http:// or https:// URL")


def test_unknown_option_is_usage_error():
    result = run_cli("scan", "https://127.0.0.1/", "--no-such-option")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_credentials_without_colon_are_usage_error():
    assert_clean_error(run_cli("scan", "https://127.0.0.1/", "-u", "alice"), 2, "USER:PASSWORD")


def test_bad_header_is_usage_error():
    assert_clean_error(run_cli("scan", "https://127.0.0.1/", "-H", "no colon here"), 2,
                       "'Name: value'")


def test_unknown_check_is_usage_error():
    assert_clean_error(run_cli("scan", "https://127.0.0.1/", "--checks", "nope"), 2,
                       "unknown check or category 'nope'")


def test_unreachable_host_exits_3(serve):
    server = serve(Flask("gone"))
    url = server.url
    server.stop()
    assert_clean_error(run_cli("scan", url + "/"), 3, "connection refused")


def test_unreadable_spec_exits_3(serve):
    server = serve(protected_api())
    assert_clean_error(run_cli("scan", server.url, "--spec", "/no/such/spec.yaml"), 3,
                       "spec file not found")


def test_untrusted_certificate_is_a_finding_and_exit_codes_follow_fail_on(serve, authority):
    server = serve(protected_api(), tls="modern")
    untrusted = run_cli("scan", server.url + "/", "--checks", "encryption.certificate",
                        "--format", "json", "--fail-on", "high", "--no-store")
    assert untrusted.returncode == 1, untrusted.stderr
    report = json.loads(untrusted.stdout)
    assert [f["id"] for f in report["findings"]] == ["encryption.cert-untrusted"]
    assert any("--cacert" in n for n in report["notices"])
    lenient = run_cli("scan", server.url + "/", "--checks", "encryption.certificate",
                      "--format", "json", "--fail-on", "critical", "--no-store")
    assert lenient.returncode == 0, lenient.stderr
    with_ca = run_cli("scan", server.url + "/", "--cacert", str(authority.ca_path),
                      "--checks", "encryption.hsts")
    assert with_ca.returncode == 0, with_ca.stderr
    insecure = run_cli("scan", server.url + "/", "-k", "--checks", "encryption.hsts")
    assert insecure.returncode == 0, insecure.stderr


def test_rejected_credentials_stop_the_scan(serve, authority):
    server = serve(protected_api(), tls="modern")
    result = run_cli("scan", server.url + "/api/data", "--cacert", str(authority.ca_path),
                     "-u", "carol:not-her-password-123")
    assert_clean_error(result, 3, "credentials were rejected")
    assert "not-her-password-123" not in result.stderr + result.stdout


def test_credentials_from_environment(serve, authority):
    server = serve(protected_api(), tls="modern")
    result = run_cli("scan", server.url + "/api/data", "--cacert", str(authority.ca_path),
                     env={"APIVIGIL_USER": "carol:wrong-from-env"})
    assert_clean_error(result, 3, "credentials were rejected")


def test_fail_on_sets_exit_code_and_json_validates(serve, authority, tmp_path):
    app = Flask("weak")
    app.get("/status")(lambda: jsonify(up=True))
    https = serve(app, tls="modern")
    http = serve(app)
    common = ["scan", https.url + "/status", "--cacert", str(authority.ca_path),
              "--http-port", str(port_of(http.url)), "--format", "json"]
    failing = run_cli(*common, "--fail-on", "high", "-o", str(tmp_path / "r.json"))
    assert failing.returncode == 1, failing.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(report, published_schema())
    assert report["tool"] == "apivigil"
    assert {f["id"] for f in report["findings"]} >= {"encryption.https-not-enforced",
                                                      "encryption.hsts-missing"}
    assert report["requests"] > 0
    passing = run_cli(*common, "--fail-on", "critical")
    assert passing.returncode == 0
    assert json.loads(passing.stdout)["grade"] == report["grade"]


def test_terminal_report_reads_without_colour(serve, authority):
    https = serve(protected_api(), tls="modern")
    result = run_cli("scan", https.url + "/", "--cacert", str(authority.ca_path),
                     "--checks", "encryption.hsts")
    assert result.returncode == 0
    assert "Grade" in result.stdout
    assert "[MEDIUM] HSTS header missing" in result.stdout
    assert "\x1b[" not in result.stdout  # no escape codes when NO_COLOR / not a terminal


def test_checks_command_lists_every_check():
    from apivigil.checks.registry import REGISTRY

    result = run_cli("checks")
    assert result.returncode == 0
    for check_id in REGISTRY.ids:
        assert check_id in result.stdout.replace("\n", "")


@pytest.mark.parametrize(("args", "message"), [
    (("scan",), "apivigil: error: Missing argument 'url'. (apivigil scan --help)"),
    (("scan", "http://127.0.0.1:9/", "--max-requests", "abc"),
     "apivigil: error: Invalid value for '--max-requests'"),
    (("scan", "http://127.0.0.1:9/", "--bogus"), "apivigil: error: No such option: --bogus"),
    (("nosuch",), "apivigil: error: No such command 'nosuch'. (apivigil --help)"),
])
def test_usage_errors_are_one_line(args, message):
    result = run_cli(*args, env={"COLUMNS": "80"})
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1 and "╭" not in result.stderr


def test_help_keeps_square_brackets():
    result = run_cli("scan", "--help", env={"COLUMNS": "80"})
    assert "[tool.apivigil]" in result.stdout
    flat = " ".join(line.strip("│ ") for line in result.stdout.splitlines())
    assert "NAME[:role=ROLE]=CREDENTIAL" in flat  # the --identity syntax, uncut


def test_unwritable_output_fails_before_the_scan(serve, authority, tmp_path):
    app = Recorder(protected_api())
    server = serve(app, tls="modern")
    result = run_cli("scan", server.url + "/", "--cacert", str(authority.ca_path),
                     "-o", str(tmp_path / "missing" / "r.html"), "--no-store")
    assert_clean_error(result, 2, "does not exist")
    assert app.requests == []  # refused before anything was sent


def test_output_file_without_format_still_says_the_verdict(serve, authority, tmp_path):
    server = serve(protected_api(), tls="modern")
    out = tmp_path / "r.html"
    result = run_cli("scan", server.url + "/", "--cacert", str(authority.ca_path),
                     "--checks", "encryption.hsts", "-o", str(out), "--no-store")
    assert result.returncode == 0, result.stderr
    assert out.exists()
    assert "apivigil: grade" in result.stderr and str(out) in result.stderr
    assert "1 of 1 checks completed" in result.stderr


def test_a_notice_is_printed_once(serve, authority):
    server = serve(protected_api())  # cleartext: the credentials are withheld, with a notice
    result = run_cli("scan", server.url + "/api/data", "-u", "carol:pw", "--checks",
                     "data_exposure.cache-control", "--no-store", env={"COLUMNS": "200"})
    text = result.stdout + result.stderr
    assert text.count("! credentials withheld") == 1, text


def test_cacert_that_is_not_pem_is_one_line_and_exit_2(tmp_path):
    not_pem = tmp_path / "ca.der"
    not_pem.write_bytes(b"\x30\x82\x01\x0a\x02\x82\x01\x01 not PEM")
    result = run_cli("scan", "https://127.0.0.1:9/", "--cacert", str(not_pem), "--no-store")
    assert_clean_error(result, 2, "not a readable PEM file")
    assert result.stderr.count("\n") == 1


def test_a_scan_that_tested_nothing_shows_no_grade(serve, tmp_path):
    """The only selected check needs https and the target is http://: it is skipped, so no
    category was tested and the report must not read as an all-clear (no 'Grade A 100')."""
    server = serve(protected_api())
    url = f"http://127.0.0.1:{port_of(server.url)}/api/data"
    terminal = run_cli("scan", url, "--checks", "encryption.hsts", "--no-store")
    assert terminal.returncode == 0, terminal.stderr
    assert "not tested" in terminal.stdout
    assert "Grade A" not in terminal.stdout and "100/100" not in terminal.stdout
    as_json = run_cli("scan", url, "--checks", "encryption.hsts", "--no-store",
                      "--format", "json")
    report = json.loads(as_json.stdout)
    jsonschema.validate(report, published_schema())
    assert report["grade"] is None and report["score"] is None
    assert [c["status"] for c in report["checks"]] == ["skipped"]
