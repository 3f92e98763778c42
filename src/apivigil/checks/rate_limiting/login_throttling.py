"""Login throttling: a burst of failed logins must be slowed down or stopped.

Without throttling an attacker can guess passwords as fast as the server answers. Rule: a
bounded burst of failed logins (`login_burst`, default 30) at the authentication endpoint
(the login POST of `--login` or the spec's OAuth2 password flow, else the GET endpoint that
challenges for Basic credentials, login-like paths first), always as a
throwaway user name, never the user's account. Throttling is any of: 429; 423 or a lockout
message; Retry-After on an answer that changed; 401 turning into 403 or 503; responses three
times slower by the end. None of them across the whole burst is a finding (high); otherwise an
info finding records at which attempt throttling began. Runs last (phase 20), one check at a
time, because it trips the target's limiter.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.rate_limiting.burst import run_burst, skip_reason
from apivigil.checks.rate_limiting.common import REMEDIATION
from apivigil.core.models import Category, Confidence, Finding, Owasp, Severity


class LoginThrottling(Check):
    meta = CheckMeta(
        id="rate_limiting.login-throttling",
        title="Failed logins are not throttled",
        category=Category.RATE_LIMITING,
        cwe=(307, 799),
        owasp=(Owasp.API2, Owasp.API4),
        severity=Severity.HIGH,
        sends="up to `login_burst` (default 30) failed logins (login POSTs, or GETs with a wrong "
        "Basic password) for a "
        "throwaway user at the login endpoint, stopping at the first 429/lockout",
        phase=20,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        return skip_reason(ctx) or super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        burst = run_burst(ctx)
        if burst is None:
            return
        path = burst.endpoint.path
        count = len(burst.attempts)
        if 200 <= burst.failure_status < 300:
            return  # wrong passwords are accepted: not a login at all (authentication checks)
        if burst.throttled_at is not None:
            yield self.finding(
                "login-throttled",
                f"Failed logins are throttled from attempt {burst.throttled_at}",
                severity=Severity.INFO,
                description=(f"{burst.label}: after {burst.throttled_at - 1} failed logins the "
                             f"server answered with {burst.signal}."),
                remediation=REMEDIATION,
                exchange=burst.attempts[burst.throttled_at - 1].response.exchange,
                path=path,
                data={"throttled_at": burst.throttled_at, "signal": burst.signal,
                      "attempts": count},
            )
            return
        yield self.finding(
            "no-login-throttling",
            "Failed logins are not throttled",
            severity=Severity.HIGH,
            confidence=Confidence.HIGH if count >= 20 else Confidence.MEDIUM,
            description=(f"{burst.label} answered all {count} failed logins in a burst with "
                         f"{burst.failure_status}: no 429, no lockout, no Retry-After and no "
                         "slowdown. An attacker can guess passwords as fast as the server "
                         "answers."),
            remediation=REMEDIATION,
            exchange=burst.last.response.exchange,
            path=path,
            data={"attempts": count, "failure_status": burst.failure_status},
        )
