"""rate_limiting.*: a burst of failed logins, advertised limits, bypasses, the info signal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from apivigil.core.config import Credentials
from tests.fixtures.apps.basic import PASSWORD, USER
from tests.fixtures.apps.rate_limiting import (
    advertised_only_login,
    limited_login,
    lockout_login,
    path_keyed_login,
    unlimited_login,
)
from tests.support import above_low, assert_completed

FAMILY = {"checks": ("rate_limiting",), "settings": {"login_burst": 12}}


def found(report):
    return {(f.id, f.severity.value, f.parameter) for f in report.findings}


def test_login_without_limiter_is_flagged(serve, run_scan):
    https = serve(unlimited_login(), tls="modern")
    report = run_scan(https.url + "/api/login", **FAMILY)
    assert found(report) == {("rate_limiting.no-login-throttling", "high", None),
                             ("rate_limiting.no-rate-limit-signal", "info", None)}
    finding = next(f for f in report.findings if f.id == "rate_limiting.no-login-throttling")
    assert finding.evidence.data == {"attempts": 12, "failure_status": 401}
    burst = next(o for o in report.checks if o.check == "rate_limiting.login-throttling")
    assert burst.requests == 12  # the configured burst, no more


def test_limiter_keyed_on_peer_address_is_clean(serve, run_scan):
    https = serve(limited_login(key="remote"), tls="modern")
    report = run_scan(https.url + "/api/login", **FAMILY)
    assert_completed(report)
    assert above_low(report) == []
    throttled = next(f for f in report.findings if f.id == "rate_limiting.login-throttled")
    # The engine's preflight and the shared anonymous baseline used two of the five per minute.
    assert throttled.evidence.data["throttled_at"] == 4
    assert throttled.evidence.data["signal"] == "429 Too Many Requests"
    assert "rate_limiting.no-rate-limit-signal" not in {f.id for f in report.findings}


def test_limiter_keyed_on_forwarded_for_is_bypassed(serve, run_scan):
    https = serve(limited_login(key="forwarded"), tls="modern")
    report = run_scan(https.url + "/api/login", **FAMILY)
    assert ("rate_limiting.address-header-bypass", "high", "X-Forwarded-For") in found(report)
    assert above_low(report) == ["rate_limiting.address-header-bypass (high)"]
    bypass = next(f for f in report.findings if f.id == "rate_limiting.address-header-bypass")
    assert "x-forwarded-for: 198.51.100." in (bypass.evidence.request or "").lower()


def test_path_variant_resets_a_path_keyed_throttle(serve, run_scan):
    https = serve(path_keyed_login(), tls="modern")
    report = run_scan(https.url + "/api/login", **FAMILY)
    assert above_low(report) == ["rate_limiting.path-variant-bypass (medium)"]
    assert ("rate_limiting.path-variant-bypass", "medium", "trailing slash variant") in \
        found(report)


def test_advertised_but_unenforced_limit_is_flagged(serve, run_scan):
    https = serve(advertised_only_login(), tls="modern")
    report = run_scan(https.url + "/api/login", **FAMILY)
    assert found(report) == {("rate_limiting.limit-not-enforced", "medium", None),
                             ("rate_limiting.no-login-throttling", "high", None)}


def test_account_lockout_counts_as_throttling(serve, run_scan):
    https = serve(lockout_login(), tls="modern")
    report = run_scan(https.url + "/api/login", **FAMILY)
    assert_completed(report)
    assert above_low(report) == []
    throttled = next(f for f in report.findings if f.id == "rate_limiting.login-throttled")
    assert throttled.evidence.data["throttled_at"] == 6
    assert "lockout" in str(throttled.evidence.data["signal"])


def test_no_login_endpoint_skips_with_reason(serve, run_scan):
    https = serve(unlimited_login(), tls="modern")
    report = run_scan(https.url + "/", **FAMILY)
    outcome = next(o for o in report.checks if o.check == "rate_limiting.login-throttling")
    assert outcome.status.value == "skipped"
    assert "Basic" in (outcome.reason or "")


def test_burst_never_uses_the_users_account(serve, run_scan):
    app = unlimited_login()
    https = serve(app, tls="modern")
    run_scan(https.url + "/api/login", credentials=Credentials(USER, PASSWORD), **FAMILY)
    users = [user for method, user in app.config["SEEN"] if user is not None]
    assert users.count("apivigil-probe") == 12  # the burst, with the throwaway user name
    assert users.count(USER) <= 1  # at most the engine's one check that the credentials work
    assert {method for method, _ in app.config["SEEN"]} == {"GET"}


def test_burst_cut_short_by_the_budget_is_not_a_verdict(serve, run_scan):
    https = serve(unlimited_login(), tls="modern")
    url = https.url + "/api/login"
    before = run_scan(url, checks=("rate_limiting.signal",)).requests  # preflight, baseline...
    report = run_scan(url, checks=("rate_limiting.login-throttling",),
                      settings={"login_burst": 30}, max_requests=before + 5)
    assert report.findings == []
    assert report.checks[0].status.value == "error"
    assert "stopped early" in (report.checks[0].reason or "")


def test_bypass_is_found_when_throttled_from_the_first_attempt(serve, run_scan):
    https = serve(limited_login(key="forwarded", limit="2 per minute"), tls="modern")
    report = run_scan(https.url + "/api/login", **FAMILY)
    throttled = next(f for f in report.findings if f.id == "rate_limiting.login-throttled")
    assert throttled.evidence.data["throttled_at"] == 1  # preflight and baseline used the quota
    assert ("rate_limiting.address-header-bypass", "high", "X-Forwarded-For") in found(report)


def test_login_burst_is_configurable_from_the_command_line(serve, authority, tmp_path):
    https = serve(unlimited_login(), tls="modern")
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "apivigil", "scan", https.url + "/api/login", "--checks",
         "rate_limiting.login-throttling", "--set", "login_burst=5", "--cacert",
         str(authority.ca_path), "--rate", "0", "-o", str(out), "--no-store"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    [finding] = report["findings"]
    assert finding["id"] == "rate_limiting.no-login-throttling"
    assert finding["evidence"]["data"]["attempts"] == 5
