"""A two-identity API that throttles failed logins (Flask-Limiter, per client address): the
scan must still find its BOLA flaw, never call a throttled check clean, and say how much of the
plan ran."""

from __future__ import annotations

import httpx

from apivigil.checks.base import SEQUENTIAL_PHASE
from apivigil.checks.registry import REGISTRY
from apivigil.core.config import Identity
from apivigil.core.models import CategoryStatus
from apivigil.engine.runner import schedule
from tests.fixtures.apps.authz_api import SPEC, identity
from tests.fixtures.apps.throttled_api import throttled_notes_api
from tests.support import assert_completed, assert_silent, outcome, rule_ids

TWO = (Identity.parse(identity("alice")), Identity.parse(identity("bob")))
BOLA = "bola.cross-identity"


def _trip(url: str, authority, failures: int = 11) -> None:  # type: ignore[no-untyped-def]
    """Fail logins from this address until the limiter answers 429."""
    with httpx.Client(verify=str(authority.ca_path)) as client:
        for _ in range(failures):
            client.get(url + "/api/notes", auth=("alice", "wrong"))


def _category(report, name):  # type: ignore[no-untyped-def]
    return next(c for c in report.categories if c.category.value == name)


def test_full_scan_finds_bola_although_its_own_probes_trip_the_limiter(
        serve, run_scan, tmp_spec):
    app = throttled_notes_api(check_owner=False)
    https = serve(app, tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO, max_duration=40)
    assert "bola.cross-identity-read" in rule_ids(report)
    assert outcome(report, BOLA) == "completed"
    # The scan's failed logins did trip the limiter: what it throttled is inconclusive,
    # and the header says so.
    throttled = [o for o in report.checks if o.status.value == "inconclusive"]
    assert throttled, "the limiter never answered 429: this fixture tests nothing"
    assert all(o.reason and ("429" in o.reason or "throttled" in o.reason) for o in throttled)
    assert f"{len(throttled)} inconclusive: throttled" in report.plan_summary()


def test_clean_twin_is_silent_and_its_authorization_checks_completed(
        serve, run_scan, tmp_spec):
    https = serve(throttled_notes_api(check_owner=True), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO, max_duration=40,
                      checks=(BOLA, "property_authorization.exposure", "data_exposure",
                              "inventory.spec-conformance", "authentication.enforcement",
                              "authentication.default-credentials"))
    # The failed-login checks run last and trip the limiter (their own verdicts are then
    # inconclusive); the identity checks ran before and completed.
    assert_silent(report, expect={"authentication.enforcement": "inconclusive",
                                  "authentication.default-credentials": "inconclusive"})
    assert outcome(report, BOLA) == "completed"


def test_throttled_check_is_inconclusive_and_its_category_not_tested(
        serve, run_scan, tmp_spec, authority):
    https = serve(throttled_notes_api(check_owner=False), tls="modern")
    _trip(https.url, authority)
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO, checks=(BOLA,),
                      max_duration=10)
    assert_completed(report, expect={BOLA: "inconclusive"})
    assert "429" in (report.checks[0].reason or "")
    bola = _category(report, "bola")
    assert (bola.status, bola.grade, bola.score) == (CategoryStatus.NOT_TESTED, None, None)
    assert report.plan_summary() == "0 of 1 checks completed; 1 inconclusive: throttled"
    assert any("longer than --max-duration leaves" in n for n in report.notices)


def test_retry_after_is_waited_out_before_checks_that_need_credentials(
        serve, run_scan, tmp_spec, authority):
    # A short window: Retry-After (about 8 s) is more than the client's own 5 s retry wait.
    https = serve(throttled_notes_api(check_owner=False, limit="10 per 8 seconds"), tls="modern")
    _trip(https.url, authority)
    report = run_scan(https.url, spec=tmp_spec(SPEC), identities=TWO, checks=(BOLA,),
                      max_duration=60)
    assert any("waited" in n and "Retry-After" in n for n in report.notices)
    assert_completed(report)
    assert "bola.cross-identity-read" in rule_ids(report)


def test_identity_checks_are_scheduled_before_any_failed_login_or_burst():
    batches = schedule(list(REGISTRY))
    order = [c.meta.id for batch in batches for c in batch]
    provoking = [c for c in REGISTRY if c.meta.phase >= SEQUENTIAL_PHASE]
    positive = [c for c in REGISTRY if c.meta.needs_working_credentials
                and c.meta.phase < SEQUENTIAL_PHASE]
    assert {c.meta.id for c in provoking} >= {
        "authentication.enforcement", "authentication.user-enumeration",
        "authentication.user-enumeration-timing", "authentication.default-credentials",
        "authentication.malformed-authorization", "rate_limiting.login-throttling"}
    assert {c.meta.id for c in positive} >= {
        BOLA, "bola.adjacent-ids", "bfla.admin-function", "property_authorization.exposure",
        "data_exposure.sensitive-data", "inventory.spec-conformance"}
    last_positive = max(order.index(c.meta.id) for c in positive)
    assert all(order.index(c.meta.id) > last_positive for c in provoking)
    # Throttling-provoking checks run one at a time.
    assert all(len(batch) == 1 for batch in batches if batch[0].meta.phase >= SEQUENTIAL_PHASE)
