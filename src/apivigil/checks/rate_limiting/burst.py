"""The bounded burst of failed logins that the rate limiting checks share.

One burst per scan (cached): at most `login_burst` (default 30, capped at 100) failed logins for
a throwaway user name at the authentication endpoint, stopping at the first sign of throttling:
POSTs to the login endpoint when there is a login flow (`--login`, or the spec's OAuth2 password
flow), else GETs with a wrong Basic password on the endpoint that challenges for Basic. Never
the user's own account name, so a lockout policy cannot lock out a real user. Every request
passes `accept_throttling=True`, so a 429 is seen, not waited out.
"""

from __future__ import annotations

import re
import secrets
import statistics
from dataclasses import dataclass

from apivigil.checks.base import ScanContext
from apivigil.checks.common import (
    DUMMY_USER,
    challenges,
    login_attempt,
    login_point,
    probe_endpoints,
)
from apivigil.checks.target import Endpoint
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.http.client import ProbeResponse

MAX_BURST = 100
LIMIT_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy",
                 "ratelimit", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                 "x-rate-limit-limit", "x-rate-limit-remaining", "retry-after")
_AUTH_PATH = re.compile(r"log-?in|sign-?in|auth|token|session", re.IGNORECASE)
_LOCKOUT_TEXT = re.compile(r"lock|too many|rate limit|throttl|slow down|try again later",
                           re.IGNORECASE)


@dataclass(frozen=True)
class Attempt:
    number: int
    response: ProbeResponse

    @property
    def status(self) -> int:
        return self.response.status

    def remaining(self) -> int | None:
        """The advertised remaining quota, from X-RateLimit-Remaining or RateLimit headers."""
        for name in ("ratelimit-remaining", "x-ratelimit-remaining", "x-rate-limit-remaining"):
            value = self.response.headers.get(name, "").strip()
            if value.isdigit():
                return int(value)
        match = re.search(r"remaining=(\d+)", self.response.headers.get("ratelimit", ""))
        return int(match.group(1)) if match else None

    def limit_headers(self) -> dict[str, str]:
        return {k: v for k in LIMIT_HEADERS if (v := self.response.headers.get(k)) is not None}


@dataclass(frozen=True)
class Burst:
    endpoint: Endpoint
    planned: int
    attempts: tuple[Attempt, ...]
    failure_status: int
    throttled_at: int | None = None
    signal: str | None = None  # what showed the throttling: 429, Retry-After, lockout, slowdown

    @property
    def label(self) -> str:
        """"POST /api/login" or "GET /api/me": how findings name the endpoint."""
        return f"{self.endpoint.method} {self.endpoint.path}"

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]


def wrong_login(ctx: ScanContext, endpoint: Endpoint, *, url: str | None = None,
                extra_headers: dict[str, str] | None = None) -> ProbeResponse:
    """One failed login for the throwaway user, as the endpoint takes it (POST or Basic GET)."""
    return login_attempt(ctx, endpoint, DUMMY_USER, "wrong-" + secrets.token_hex(6), url=url,
                         extra_headers=extra_headers)


def throttle_signal(response: ProbeResponse, failure_status: int) -> str | None:
    """Why this response counts as throttled or locked out, or None when it does not."""
    if response.status == 429:
        return "429 Too Many Requests"
    if response.status == 423:
        return "423 Locked (account lockout)"
    # Some limiters (Flask-Limiter) send Retry-After on every response: it only counts when
    # the answer changed from the ordinary failure.
    if response.headers.get("retry-after") is not None and response.status != failure_status:
        return f"Retry-After on a {response.status}"
    if response.status != failure_status and response.status >= 400 and \
            _LOCKOUT_TEXT.search(response.text[:2000]):
        return f"lockout message with {response.status}"
    if failure_status == 401 and response.status in (403, 503):
        # Refused outright where a login used to be judged: a silent lockout or a shed load.
        return f"status changed from 401 to {response.status}"
    return None


def login_endpoint(ctx: ScanContext) -> Endpoint | None:
    """The login POST when there is a login flow, else the GET endpoint that challenges for
    Basic credentials, login-like paths first."""
    login = login_point(ctx)
    if login is not None:
        return login
    candidates = sorted(probe_endpoints(ctx, limit=10),
                        key=lambda e: (not _AUTH_PATH.search(e.path), e.path))
    for endpoint in candidates:
        try:
            response = ctx.baseline(endpoint)
        except BudgetExhaustedError:
            raise
        except ProbeError:
            continue
        if response.status == 401 and "basic" in challenges(response):
            return endpoint
    return None


def skip_reason(ctx: ScanContext) -> str | None:
    """Why the burst checks cannot run: no login endpoint, or no budget left to find one."""
    try:
        endpoint = login_endpoint(ctx)
    except BudgetExhaustedError as exc:
        return f"stopped before the login burst: {exc}"
    if endpoint is None:
        return ("no login to attempt: no --login PATH, no OAuth2 password flow in the spec, "
                "and no GET endpoint challenges for Basic credentials")
    return None


def run_burst(ctx: ScanContext) -> Burst | None:
    """The shared burst (computed once per scan); None when there is no login endpoint."""
    return ctx.cache.get_or_compute("rate_limiting:burst", lambda: _burst(ctx))


def _burst(ctx: ScanContext) -> Burst | None:
    endpoint = login_endpoint(ctx)
    if endpoint is None:
        return None
    planned = max(1, min(int(ctx.options.setting("login_burst", 30)), MAX_BURST))
    attempts: list[Attempt] = []
    failure_status = 401
    for number in range(1, planned + 1):
        try:
            response = wrong_login(ctx, endpoint)
        except BudgetExhaustedError:
            raise  # a burst cut short proves nothing: the check reports it stopped early
        except ProbeError:
            break
        attempts.append(Attempt(number, response))
        if number == 1 and response.status not in (429, 423):
            failure_status = response.status  # else: already throttled, keep 401
        signal = throttle_signal(response, failure_status)
        if signal is not None:
            return Burst(endpoint, planned, tuple(attempts), failure_status, number, signal)
    if not attempts:
        return None
    slow = _slowdown(attempts)
    if slow is not None:
        return Burst(endpoint, planned, tuple(attempts), failure_status, slow,
                     "slowdown (responses got markedly slower)")
    return Burst(endpoint, planned, tuple(attempts), failure_status)


def _slowdown(attempts: list[Attempt]) -> int | None:
    """The attempt where responses became 3x slower (and at least 0.5 s) than the first ones."""
    if len(attempts) < 10:
        return None
    first = statistics.median(a.response.elapsed_s for a in attempts[:5])
    last = statistics.median(a.response.elapsed_s for a in attempts[-5:])
    if last < max(3 * first, first + 0.5):
        return None
    threshold = max(2 * first, first + 0.25)
    return next(a.number for a in attempts[5:] if a.response.elapsed_s >= threshold)
