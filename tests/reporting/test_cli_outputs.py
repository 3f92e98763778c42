"""`-o` as CI uses it: several files in one run, the format from each extension; and the
config file (`.apivigil.toml`, `[tool.apivigil]`), with the command line winning."""

from __future__ import annotations

import json

from junitparser import JUnitXml

from tests.fixtures.apps.reports import hostile_api
from tests.reporting.cli import apivigil


def test_several_outputs_in_one_run(serve, authority, tmp_path):
    server = serve(hostile_api(), tls="modern")
    names = ["r.sarif", "r.html", "r.xml", "r.md", "r.txt", "r.json"]
    outputs = [arg for name in names for arg in ("-o", str(tmp_path / name))]
    result = apivigil("scan", server.url + "/", "--cacert", str(authority.ca_path),
                      "--checks", "encryption.hsts", "--no-store", *outputs)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # files only: stdout is for --format when it is given
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["ruleId"] == "encryption.hsts-missing"
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    junit = JUnitXml.fromfile(str(tmp_path / "r.xml"))
    assert junit.failures == 1
    assert (tmp_path / "r.md").read_text().startswith("## apivigil: grade")
    text = (tmp_path / "r.txt").read_text()
    assert "Grade" in text and "[MEDIUM] HSTS header missing" in text and "\x1b[" not in text
    assert json.loads((tmp_path / "r.json").read_text())["tool"] == "apivigil"


def test_format_still_chooses_stdout(serve, authority, tmp_path):
    server = serve(hostile_api(), tls="modern")
    result = apivigil("scan", server.url + "/", "--cacert", str(authority.ca_path),
                      "--checks", "encryption.hsts", "--no-store", "--format", "sarif",
                      "-o", str(tmp_path / "r.md"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["version"] == "2.1.0"
    assert (tmp_path / "r.md").read_text().startswith("## apivigil")


def test_unknown_extension_fails_before_scanning(tmp_path):
    # Nothing listens on port 9: had the scan started, this would be exit 3, not 2.
    result = apivigil("scan", "https://127.0.0.1:9/", "-o", str(tmp_path / "report.docx"))
    assert result.returncode == 2
    assert "cannot tell the report format" in result.stderr
    assert "Traceback" not in result.stderr


def write_config(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_config_file_supplies_options_and_cli_wins(serve, authority, tmp_path):
    server = serve(hostile_api(), tls="modern")
    write_config(tmp_path / ".apivigil.toml", f"""
url = "{server.url}/"
cacert = "{authority.ca_path}"
checks = ["encryption.hsts"]
fail-on = "medium"
output = ["from-config.sarif"]
no_store = true
""")
    from_file = apivigil("scan", cwd=tmp_path)
    assert from_file.returncode == 1, from_file.stderr  # fail-on medium, from the file
    assert json.loads((tmp_path / "from-config.sarif").read_text())["runs"][0]["results"]
    cli_wins = apivigil("scan", "--fail-on", "high", cwd=tmp_path)
    assert cli_wins.returncode == 0, cli_wins.stderr


def test_pyproject_table_and_explicit_config(serve, authority, tmp_path):
    server = serve(hostile_api(), tls="modern")
    write_config(tmp_path / "pyproject.toml", f"""
[project]
name = "someone-else"

[tool.apivigil]
checks = "encryption.hsts"
fail-on = "medium"
cacert = "{authority.ca_path}"
no-store = true
""")
    assert apivigil("scan", server.url + "/", cwd=tmp_path).returncode == 1
    other = write_config(tmp_path / "ci.toml", f'cacert = "{authority.ca_path}"\n'
                         'checks = ["encryption.hsts"]\nno-store = true\n')
    assert apivigil("scan", server.url + "/", "--config", str(other),
                    cwd=tmp_path).returncode == 0  # --config replaces the discovered file


def test_config_refuses_credentials_and_typos(tmp_path):
    write_config(tmp_path / ".apivigil.toml", 'user = "carol:s3cret-in-a-file"\n')
    result = apivigil("scan", "https://127.0.0.1:9/", cwd=tmp_path)
    assert result.returncode == 2
    assert "APIVIGIL_USER" in result.stderr
    assert "s3cret-in-a-file" not in result.stderr + result.stdout
    write_config(tmp_path / ".apivigil.toml", 'header = ["Authorization: Bearer abc.def"]\n')
    result = apivigil("scan", "https://127.0.0.1:9/", cwd=tmp_path)
    assert result.returncode == 2 and "looks like a credential" in result.stderr
    assert "abc.def" not in result.stderr
    write_config(tmp_path / ".apivigil.toml", 'fail_onn = "high"\n')
    result = apivigil("scan", "https://127.0.0.1:9/", cwd=tmp_path)
    assert result.returncode == 2 and "unknown option(s) fail_onn" in result.stderr
