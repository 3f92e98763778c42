"""JUnit XML, read back by a real JUnit parser (junitparser): one suite per check, one case per
check and operation, failures for findings, skipped and errored checks kept apart."""

from __future__ import annotations

from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped

from apivigil.core.models import CheckOutcome, OperationStatus, OutcomeStatus, Report
from apivigil.reporting import junit


def parse(report: Report, tmp_path: Path) -> JUnitXml:
    path = tmp_path / "junit.xml"
    path.write_text(junit.render(report), encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def suites(xml: JUnitXml) -> dict[str, object]:
    return {suite.name: suite for suite in xml}


def test_findings_are_failures_of_their_check(hostile_report, tmp_path):
    xml = parse(hostile_report, tmp_path)
    hsts = suites(xml)["encryption.hsts"]
    cases = list(hsts)
    assert len(cases) == 1  # no spec: one case, the target
    results = cases[0].result
    assert len(results) == 1 and isinstance(results[0], Failure)
    assert results[0].type == "encryption.hsts-missing"
    assert results[0].message == "[MEDIUM] HSTS header missing"
    # The hostile response is in the failure text as text: the XML survived its markup,
    # its "]]>" and its control characters.
    assert "<script>document.title='PWNED'" in results[0].text
    assert "\x07" not in results[0].text
    assert xml.failures == 1 and xml.errors == 0
    clean = list(suites(xml)["authentication.enforcement"])
    assert all(case.is_passed for case in clean)


def test_clean_scan_has_no_failures(tidy_report, tmp_path):
    xml = parse(tidy_report, tmp_path)
    assert xml.failures == 0 and xml.errors == 0
    assert xml.tests == len(tidy_report.checks)


def test_one_case_per_check_and_operation(hostile_report, tmp_path):
    operations = [OperationStatus(method="GET", path="/", status="exercised", http_status=200),
                  OperationStatus(method="GET", path="/users/{id}", status="skipped",
                                  reason="path parameters have no known values")]
    findings = [f.model_copy(update={"path": "/"}) for f in hostile_report.findings]
    outcomes = [*hostile_report.checks,
                CheckOutcome(check="inventory.spec-audit", category="inventory",
                             status=OutcomeStatus.SKIPPED, reason="needs an OpenAPI spec"),
                CheckOutcome(check="encryption.tls", category="encryption",
                             status=OutcomeStatus.ERROR, reason="ConnectError: refused")]
    report = hostile_report.model_copy(update={"operations": operations, "findings": findings,
                                               "checks": outcomes})
    by_suite = suites(parse(report, tmp_path))
    hsts = {case.name: case for case in by_suite["encryption.hsts"]}
    assert set(hsts) == {"GET /", "GET /users/{id}"}
    assert isinstance(hsts["GET /"].result[0], Failure)
    assert hsts["GET /users/{id}"].is_passed
    assert all(isinstance(c.result[0], Skipped) for c in by_suite["inventory.spec-audit"])
    assert all(isinstance(c.result[0], Error) for c in by_suite["encryption.tls"])
    assert len(list(by_suite["encryption.tls"])) == 2
