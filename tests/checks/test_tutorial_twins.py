"""A Flask + JWT tutorial API and its fixed twin, scanned with two bearer identities: every
flaw found on the vulnerable twin, nothing above low on the fixed one, scores far apart, and
public-by-nature operations never reported as forgotten security."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apivigil.core.config import Identity, ScanOptions
from apivigil.core.models import Report, Severity
from apivigil.demo.server import CertificateAuthority, serve_wsgi
from apivigil.engine.runner import Scanner
from tests.fixtures.apps.tutorial_api import JWT_KEY, SPEC, sign_up, tutorial_api
from tests.support import above_low, outcome

PUBLIC_BY_NATURE = {"/login", "/register", "/password-reset", "/health", "/catalogue"}
FLAWS = {
    ("data_exposure.password-plaintext", "/users"),
    ("data_exposure.users-listed-anonymously", "/users"),
    ("data_exposure.environment-secret", "/env"),
    ("input_validation.sql-injection-differential", "/users/{username}"),
    ("bola.cross-identity-read", "/books/{title}"),
    ("input_validation.state-changing-get", "/createdb"),
}


class Scanned:
    def __init__(self, report: Report, app: Any, identities: tuple[str, ...]) -> None:
        self.report, self.app, self.identities = report, app, identities


def _scan(authority: CertificateAuthority, tmp: Path, *, fixed: bool) -> Scanned:
    app = tutorial_api(fixed=fixed)
    served = serve_wsgi(app, authority.server_context(), 0)
    try:
        values = tuple(sign_up(served.url, name, str(authority.ca_path))
                       for name in ("alice", "bob"))
        spec = tmp / "openapi.json"
        spec.write_text(json.dumps(SPEC))
        report = Scanner(ScanOptions(
            url=served.url, spec=str(spec), identities=tuple(map(Identity.parse, values)),
            cacert=str(authority.ca_path), rate=0.0, timeout=5.0)).run()
    finally:
        served.stop()
    return Scanned(report, app, values)


@pytest.fixture(scope="module")
def vulnerable(authority: CertificateAuthority,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scanned]:
    yield _scan(authority, tmp_path_factory.mktemp("vulnerable"), fixed=False)


@pytest.fixture(scope="module")
def fixed(authority: CertificateAuthority,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scanned]:
    yield _scan(authority, tmp_path_factory.mktemp("fixed"), fixed=True)


def _found(report: Report) -> set[tuple[str, str | None]]:
    return {(f.id, f.path) for f in report.findings}


def test_every_flaw_of_the_vulnerable_twin_is_found(vulnerable: Scanned) -> None:
    assert _found(vulnerable.report) >= FLAWS
    for finding in vulnerable.report.findings:
        if (finding.id, finding.path) in FLAWS:
            assert finding.severity.rank >= Severity.MEDIUM.rank, finding.id
            assert finding.evidence.response, f"{finding.id} has no response as evidence"


def test_the_health_banner_is_reported(vulnerable: Scanned) -> None:
    banners = [f for f in vulnerable.report.findings if f.id == "data_exposure.version-banner"]
    assert any("X-Powered-By" in f.description and "Flask/2.0.1" in f.description
               for f in banners)


def test_the_fixed_twin_has_nothing_above_low(fixed: Scanned) -> None:
    assert above_low(fixed.report) == []
    for check in ("data_exposure.sensitive-data", "input_validation.sql-differential",
                  "bola.cross-identity", "input_validation.state-changing-get"):
        assert outcome(fixed.report, check) == "completed", check
    assert fixed.app.config["RESETS"] == []  # the reset GET was refused, nothing re-created


def test_scores_are_at_least_40_points_apart(vulnerable: Scanned, fixed: Scanned) -> None:
    assert fixed.report.score - vulnerable.report.score >= 40
    assert fixed.report.grade in ("A", "B")


def test_public_by_nature_operations_never_get_a_medium(vulnerable: Scanned,
                                                        fixed: Scanned) -> None:
    for scanned in (vulnerable, fixed):
        on_public = [f"{f.id} {f.path} ({f.severity.value})" for f in scanned.report.findings
                     if f.path in PUBLIC_BY_NATURE and f.severity.rank >= Severity.MEDIUM.rank]
        assert on_public == []
        forgotten = [f.path for f in scanned.report.findings
                     if f.id == "inventory.operation-without-security"]
        assert not PUBLIC_BY_NATURE & set(forgotten)


def test_spec_only_observations_stay_low(vulnerable: Scanned) -> None:
    spec_only = [f for f in vulnerable.report.findings if f.check == "inventory.spec-audit"]
    assert spec_only and all(f.severity.rank <= Severity.LOW.rank for f in spec_only)


def test_the_reset_get_is_called_once_after_the_other_checks(vulnerable: Scanned) -> None:
    assert len(vulnerable.app.config["RESETS"]) == 1
    [finding] = [f for f in vulnerable.report.findings
                 if f.id == "input_validation.state-changing-get"]
    assert finding.severity is Severity.HIGH
    assert "GET /users" in finding.evidence.data["changed"]


def test_secrets_and_passwords_are_masked_in_evidence(vulnerable: Scanned) -> None:
    text = vulnerable.report.model_dump_json()
    assert "Sup3r-s3cret-db" not in text
    assert JWT_KEY.decode() not in text
    for password in ("alice-pw-5x9", "bob-pw-3x9", "admin-pass-0001"):
        assert password not in text
    for value in vulnerable.identities:  # the bearer tokens
        assert value.split("Bearer ", 1)[1] not in text
    [env] = [f for f in vulnerable.report.findings if f.id == "data_exposure.environment-secret"]
    assert "masked" in (env.evidence.response or "")
    locations = " | ".join(env.evidence.data["locations"])
    for label in ("DB_PASSWORD value", "JWT_SECRET_KEY value", "URL with a password"):
        assert label in locations


def test_sql_injection_is_proven_by_both_pairs(vulnerable: Scanned) -> None:
    [sql] = [f for f in vulnerable.report.findings
             if f.id == "input_validation.sql-injection-differential"]
    assert (sql.parameter, sql.confidence.value) == ("path username", "high")
    assert sql.evidence.data["quote_pair"] and sql.evidence.data["boolean_pair"]
    assert (sql.evidence.data["lone_quote_status"], sql.evidence.data[
        "balanced_quotes_status"]) == (500, 404)


def test_bola_on_objects_keyed_by_title(vulnerable: Scanned) -> None:
    [bola] = [f for f in vulnerable.report.findings if f.id == "bola.cross-identity-read"]
    assert bola.parameter == "title"
    assert "Alice Diary" in (bola.evidence.response or "")
    assert bola.evidence.data["reader_identity"] == "bob"
