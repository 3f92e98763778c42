"""Baselines, the ignore list, `history` and `diff` through the real command line, against one
API whose flaw is switched on and off between scans (so fingerprints stay comparable)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.fixtures.apps.switchable import switchable_api
from tests.reporting.cli import apivigil
from tests.store.conftest import emptied


@pytest.fixture
def api(serve, authority, tmp_path):
    """(state, scan-args) for the switchable API; state["hsts"] toggles the flaw."""
    state = {"hsts": True}
    server = serve(switchable_api(state), tls="modern")
    args = [server.url + "/", "--cacert", str(authority.ca_path), "--checks", "encryption.hsts"]
    return state, args


def test_baseline_reports_and_fails_only_on_new_findings(api, tmp_path):
    state, args = api
    state["hsts"] = False
    baseline = tmp_path / "accepted.json"
    made = apivigil("baseline", *args, "--baseline", str(baseline), "--no-store")
    assert made.returncode == 0, made.stderr
    assert "1 finding(s) accepted" in made.stderr
    document = json.loads(baseline.read_text())
    assert [f["id"] for f in document["findings"]] == ["encryption.hsts-missing"]

    known = apivigil("scan", *args, "--baseline", str(baseline), "--fail-on", "low",
                     "--no-store", "--format", "json")
    assert known.returncode == 0, known.stderr  # the only finding is accepted
    report = json.loads(known.stdout)
    assert report["findings"] == []
    assert any("already in the baseline" in n for n in report["notices"])
    assert report["score"] == 92  # the score still tells the truth: 100 - 8 for the medium

    state["hsts"] = True
    empty = tmp_path / "empty.json"
    assert apivigil("baseline", *args, "--baseline", str(empty), "--no-store").returncode == 0
    state["hsts"] = False  # a regression after the baseline was taken
    new = apivigil("scan", *args, "--baseline", str(empty), "--fail-on", "low", "--no-store")
    assert new.returncode == 1
    assert "HSTS header missing" in new.stdout


def test_unreadable_baseline_is_a_usage_error(api, tmp_path):
    _, args = api
    (tmp_path / "bad.json").write_text("{}")
    result = apivigil("scan", *args, "--baseline", str(tmp_path / "bad.json"), "--no-store")
    assert result.returncode == 2 and "not a baseline file" in result.stderr


def test_ignore_list_needs_a_reason_and_expires(api, tmp_path):
    state, args = api
    state["hsts"] = False
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    config = tmp_path / ".apivigil.toml"

    def scan() -> tuple[int, dict]:
        done = apivigil("scan", *args, "--fail-on", "low", "--format", "json", "--no-store",
                        cwd=tmp_path)
        return done.returncode, json.loads(done.stdout) if done.stdout else {}

    config.write_text(f'[[ignore]]\nrule = "encryption.hsts-*"\npath = "/*"\n'
                      f'reason = "TLS ends at the load balancer, which sets HSTS"\n'
                      f"expires = {tomorrow}\n")
    code, report = scan()
    assert code == 0 and report["findings"] == []
    assert any("suppressed by the config's ignore list" in n for n in report["notices"])

    config.write_text(f'[[ignore]]\nrule = "encryption.hsts-missing"\nreason = "until Q3"\n'
                      f"expires = {yesterday}\n")
    code, report = scan()
    assert code == 1 and [f["id"] for f in report["findings"]] == ["encryption.hsts-missing"]
    assert any("expired" in n and "until Q3" in n for n in report["notices"])

    config.write_text('[[ignore]]\nrule = "encryption.hsts-missing"\npath = "/admin/*"\n'
                      'reason = "admin only"\n')
    code, report = scan()
    assert code == 1  # the path pattern does not match /

    config.write_text('[[ignore]]\nrule = "encryption.hsts-missing"\n')
    done = apivigil("scan", *args, cwd=tmp_path)
    assert done.returncode == 2 and "needs a reason" in done.stderr


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_history_and_diff(database, api, tmp_path, request):
    state, args = api
    db = (f"sqlite:///{tmp_path / 'h.db'}" if database == "sqlite"
          else emptied(request.getfixturevalue("postgres_url")))
    assert apivigil("scan", *args, "--db", db).returncode == 0
    state["hsts"] = False
    assert apivigil("scan", *args, "--db", db).returncode == 0
    assert apivigil("scan", *args, "--db", db, "--no-store").returncode == 0

    listed = apivigil("history", "--db", db, "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 2  # --no-store kept the third one out
    assert rows[0]["counts"]["medium"] == 1 and rows[1]["grade"] == "A"
    table = apivigil("history", "--db", db)
    assert "grade" in table.stdout and args[0] in table.stdout

    diff = apivigil("diff", "--db", db)  # default: the two newest scans
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.startswith("Grade A (100) -> A (92): worse (-8)")
    assert "New (1)\n  [MEDIUM] encryption.hsts-missing" in diff.stdout
    assert "Fixed (0)" in diff.stdout
    back = json.loads(apivigil("diff", str(rows[0]["id"]), str(rows[1]["id"]), "--db", db,
                               "--json").stdout)
    assert [f["id"] for f in back["fixed"]] == ["encryption.hsts-missing"]
    assert back["drift"] == "improved"
    missing = apivigil("diff", "1", "999", "--db", db)
    assert missing.returncode == 2 and "no scan #999" in missing.stderr


def test_diff_of_two_json_report_files(api, tmp_path):
    state, args = api
    apivigil("scan", *args, "--no-store", "-o", str(tmp_path / "a.json"))
    state["hsts"] = False
    apivigil("scan", *args, "--no-store", "-o", str(tmp_path / "b.json"))
    result = apivigil("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert result.returncode == 0, result.stderr
    assert "New (1)" in result.stdout
