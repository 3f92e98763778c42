"""authentication.user-enumeration-timing, against real servers: one that does the password
work only for known users (flagged) and one that does constant work with random jitter (silent
in every one of 20 runs). The false-alarm rate over more runs is measured by
bench/timing_false_alarms.py, not here: tests assert outcomes, never durations."""

from __future__ import annotations

import pytest

from apivigil.core.config import Credentials
from tests.fixtures.apps.auth import login_api, throttled, timing_api
from tests.fixtures.apps.basic import PASSWORD, USER
from tests.support import assert_completed

CHECK = {"checks": ("authentication.user-enumeration-timing",)}
CREDS = Credentials(USER, PASSWORD)
RULE = "authentication.user-enumeration-timing"


def test_bcrypt_only_for_known_users_is_flagged(serve, run_scan):
    https = serve(timing_api(leaky=True), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value) == (RULE, "medium")
    data = finding.evidence.data
    assert data["median_known_ms"] > data["median_unknown_ms"]
    assert data["samples_known"] == data["samples_unknown"] >= 10
    assert data["p_value"] < 0.001
    assert data["effect_size"] >= 0.8
    # Identical 401s: only the clock tells the users apart, and the evidence says how much.
    assert "ms (median)" in finding.description
    assert report.checks[0].requests == 1 + 2 * (data["samples_known"] + 1)  # baseline, warm-up


@pytest.mark.parametrize("run", range(20))
def test_constant_work_with_jitter_is_silent(serve, run_scan, run):
    https = serve(timing_api(leaky=False), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"
    assert report.checks[0].requests >= 42  # it measured (21 pairs at least), not skipped


def test_throttling_stops_the_measurement_without_a_finding(serve, run_scan):
    https = serve(throttled(timing_api(leaky=True), failures=8), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert report.findings == []
    assert report.checks[0].requests <= 9  # stopped at the first 429
    # Throttled is no verdict: the check ends inconclusive, never completed (clean).
    assert report.checks[0].status.value == "inconclusive"
    assert "429" in (report.checks[0].reason or "")
    assert report.plan_summary() == "0 of 1 checks completed; 1 inconclusive: throttled"


def test_generic_login_clean_twin_is_silent(serve, run_scan):
    """The clean login does a bcrypt check against a dummy hash for unknown users."""
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url + "/api/login", credentials=CREDS, **CHECK)
    assert_completed(report)
    assert report.findings == []
