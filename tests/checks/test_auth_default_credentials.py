"""authentication.default-credentials: admin:admin and friends must not get in."""

from __future__ import annotations

from tests.fixtures.apps.auth import login_api, throttled
from tests.support import outcome

CHECK = {"checks": ("authentication.default-credentials",)}


def test_admin_admin_is_critical_and_the_password_is_not_shown(serve, run_scan):
    https = serve(login_api("default-admin"), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value, finding.parameter) == (
        "authentication.default-credentials", "critical", "admin")
    assert finding.evidence.data["list_entry"] == 1  # after the random control pair
    assert "admin:admin" not in report.model_dump_json()
    assert "YWRtaW46YWRtaW4" not in report.model_dump_json()  # base64 of admin:admin
    assert report.checks[0].requests == 1 + 2  # baseline, control, first default pair


def test_no_default_account_is_silent_within_ten_attempts(serve, run_scan):
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    assert report.findings == []
    assert report.checks[0].requests == 1 + 1 + 10  # baseline, control, ten pairs


def test_stops_at_the_first_sign_of_throttling(serve, run_scan):
    # Three failures allowed: the scan's reachability probe, the baseline, the control pair.
    https = serve(throttled(login_api("default-admin"), failures=3), tls="modern")
    report = run_scan(https.url + "/api/login", **CHECK)
    assert report.findings == []  # admin:admin got a 429, not a judgement
    assert report.checks[0].requests == 3  # baseline, control, the throttled first pair
    # Throttled is no verdict: the check ends inconclusive, never completed (clean).
    assert report.checks[0].status.value == "inconclusive"
    assert "429" in (report.checks[0].reason or "")
    assert report.plan_summary() == "0 of 1 checks completed; 1 inconclusive: throttled"


def test_no_default_credentials_flag_turns_it_off(serve, run_scan):
    https = serve(login_api("default-admin"), tls="modern")
    report = run_scan(https.url + "/api/login", default_credentials=False, **CHECK)
    assert outcome(report, "authentication.default-credentials") == "skipped"
    assert report.findings == []
