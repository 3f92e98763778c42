"""SARIF: valid for the official 2.1.0 schema and for Microsoft's SARIF Multitool, and carrying
what GitHub code scanning uses (rules with CWE tags and security-severity, levels, partial
fingerprints, notifications for checks that did not complete)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema

from apivigil.core.models import CheckOutcome, OutcomeStatus, Report, Severity
from apivigil.reporting import sarif
from tests.reporting.tools import multitool, sarif_schema


def with_unfinished_checks(report: Report) -> Report:
    """The same report plus a skipped and a crashed check (as the engine records them)."""
    extra = [
        CheckOutcome(check="inventory.spec-audit", category="inventory",
                     status=OutcomeStatus.SKIPPED, reason="needs an OpenAPI spec (--spec)"),
        CheckOutcome(check="encryption.tls", category="encryption",
                     status=OutcomeStatus.ERROR, reason="stopped early: request budget used up"),
    ]
    return report.model_copy(update={"checks": [*report.checks, *extra]})


def validate_with_multitool(log: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    """Run `Sarif.Multitool validate`; return the problems it reports (its own SARIF output)."""
    source, output = tmp_path / "apivigil.sarif", tmp_path / "validation.sarif"
    source.write_text(json.dumps(log))
    # Invariant globalization: the .NET binary then needs no ICU library on the machine.
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    done = subprocess.run([str(multitool()), "validate", str(source), "-o", str(output)],
                          capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    validation = json.loads(output.read_text())
    assert validation["runs"][0]["tool"]["driver"]["name"].lower().startswith("sarif")
    return list(validation["runs"][0].get("results", []))


def test_sarif_of_a_real_scan_is_valid_for_the_official_schema(hostile_report):
    schema = json.loads(sarif_schema().read_text())
    log = json.loads(sarif.render(with_unfinished_checks(hostile_report)))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"


def test_sarif_multitool_finds_no_errors(hostile_report, tmp_path):
    log = sarif.sarif_log(with_unfinished_checks(hostile_report))
    problems = validate_with_multitool(log, tmp_path)
    errors = [p for p in problems if p.get("level", "warning") == "error"]
    assert errors == [], [p["message"] for p in errors]


def test_sarif_multitool_rejects_a_broken_log(hostile_report, tmp_path):
    """The validator is really looking: a result pointing at a rule that is not there fails."""
    log = sarif.sarif_log(hostile_report)
    log["runs"][0]["results"][0]["ruleIndex"] = 99
    problems = validate_with_multitool(log, tmp_path)
    assert any(p.get("level", "warning") == "error" for p in problems)


def test_sarif_rules_results_and_fingerprints(hostile_report):
    log = json.loads(sarif.render(hostile_report))
    run = log["runs"][0]
    finding = next(f for f in hostile_report.findings if f.id == "encryption.hsts-missing")
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    rule = rules["encryption.hsts-missing"]
    assert "external/cwe/cwe-319" in rule["properties"]["tags"]
    assert "security" in rule["properties"]["tags"]
    assert rule["properties"]["security-severity"] == "5.5"  # medium for GitHub
    assert rule["properties"]["check"] == "encryption.hsts"
    assert "Strict-Transport-Security" in rule["help"]["markdown"]
    assert "@app.after_request" in rule["help"]["markdown"]  # the Flask fix
    result = next(r for r in run["results"] if r["ruleId"] == "encryption.hsts-missing")
    assert result["level"] == "warning"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert result["partialFingerprints"] == {"apivigil/v1": finding.fingerprint}
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "TARGET"
    assert run["originalUriBaseIds"]["TARGET"]["uri"] == hostile_report.target.rstrip("/") + "/"
    assert run["properties"]["grade"] == hostile_report.grade


def test_levels_follow_severity(hostile_report):
    updated = [f.model_copy(update={"severity": Severity(s), "fingerprint": f"fp-{s}"})
               for f in hostile_report.findings[:1]
               for s in ("critical", "high", "medium", "low", "info")]
    log = sarif.sarif_log(hostile_report.model_copy(update={"findings": updated}))
    levels = [r["level"] for r in log["runs"][0]["results"]]
    assert levels == ["error", "error", "warning", "note", "note"]


def test_unfinished_checks_are_notifications(hostile_report):
    log = sarif.sarif_log(with_unfinished_checks(hostile_report))
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    by_check = {n["descriptor"]["id"]: n for n in notes if "descriptor" in n}
    assert by_check["inventory.spec-audit"]["level"] == "note"
    assert "needs an OpenAPI spec" in by_check["inventory.spec-audit"]["message"]["text"]
    assert by_check["encryption.tls"]["level"] == "error"
    assert "encryption.hsts" not in by_check  # completed checks are not notifications


def test_clean_scan_has_no_results(tidy_report):
    log = sarif.sarif_log(tidy_report)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []
