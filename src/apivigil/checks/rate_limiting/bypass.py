"""Rate-limit bypass: once throttled, does a forged client address or a path variant reset it?

A limiter keyed on `X-Forwarded-For` (or any header the client sets) is no limiter: an attacker
sends a new address with every guess. Rule: after the shared burst has been throttled, the
same failed login is repeated once with each rotated client-address header (`X-Forwarded-For`,
`X-Real-IP`, `Forwarded`, `True-Client-IP`, `X-Client-IP`, from the 198.51.100.0/24
documentation range) and with the path's case changed and a trailing slash. A variant that is
processed normally (the burst's failure status, not a 404) while a plain retry right after is
still throttled proves the bypass; the finding names the header or the variant.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.rate_limiting.burst import (
    Burst,
    run_burst,
    skip_reason,
    throttle_signal,
    wrong_login,
)
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

ADDRESS_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded", "True-Client-IP", "X-Client-IP")

REMEDIATION = Remediation(
    summary="Key the limiter on the connection's address, or on the proxy-set header only after "
    "ProxyFix has been told exactly how many proxies are in front (x_for=1 for one); normalise "
    "the path (case, trailing slash) before counting.",
    examples=examples("login-throttling"),
    references=(
        "https://werkzeug.palletsprojects.com/en/stable/middleware/proxy_fix/",
        "https://flask-limiter.readthedocs.io/en/stable/recipes.html",
    ),
)


def _address_value(header: str) -> str:
    address = f"198.51.100.{secrets.randbelow(250) + 2}"
    return f"for={address}" if header == "Forwarded" else address


class RateLimitBypass(Check):
    meta = CheckMeta(
        id="rate_limiting.bypass",
        title="Rate limit bypassed with forged client addresses or path variants",
        category=Category.RATE_LIMITING,
        cwe=(290, 307, 348),
        owasp=(Owasp.API2, Owasp.API4),
        severity=Severity.HIGH,
        sends="after a throttled burst: one failed login per client-address header and path "
        "variant (7), each confirmed by a plain retry (up to 8 more)",
        phase=20,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        return skip_reason(ctx) or super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        burst = run_burst(ctx)
        if burst is None or burst.throttled_at is None or burst.signal is None \
                or burst.signal.startswith("slowdown"):
            return
        if not self._still_throttled(ctx, burst):
            return  # the window expired already: nothing to bypass
        for header in ADDRESS_HEADERS:
            response = self._attempt(ctx, burst, burst.endpoint.url,
                                     {header: _address_value(header)})
            if response is not None and self._processed(response, burst) \
                    and self._still_throttled(ctx, burst):
                yield self._finding(burst, response, header, f"the {header} header",
                                    Severity.HIGH)
        for label, url in self._path_variants(burst.endpoint.url):
            response = self._attempt(ctx, burst, url, {})
            if response is not None and self._processed(response, burst) \
                    and self._still_throttled(ctx, burst):
                yield self._finding(burst, response, label, label, Severity.MEDIUM)

    def _attempt(self, ctx: ScanContext, burst: Burst, url: str,
                 extra: dict[str, str]) -> ProbeResponse | None:
        try:
            return wrong_login(ctx, burst.endpoint, url=url, extra_headers=extra)
        except BudgetExhaustedError:
            raise
        except ProbeError:
            return None

    def _processed(self, response: ProbeResponse, burst: Burst) -> bool:
        """The login was judged (same failure as before throttling), not throttled or 404."""
        return response.status == burst.failure_status and \
            throttle_signal(response, burst.failure_status) is None

    def _still_throttled(self, ctx: ScanContext, burst: Burst) -> bool:
        plain = self._attempt(ctx, burst, burst.endpoint.url, {})
        return plain is not None and throttle_signal(plain, burst.failure_status) is not None

    def _path_variants(self, url: str) -> list[tuple[str, str]]:
        parts = urlsplit(url)
        variants = []
        if parts.path.upper() != parts.path:
            upper = urlunsplit(parts._replace(path=parts.path.upper()))
            variants.append(("upper-case path", upper))
        slashed = parts.path.rstrip("/") + "/" if not parts.path.endswith("/") \
            else parts.path.rstrip("/")
        if slashed:
            variants.append(("trailing slash variant", urlunsplit(parts._replace(path=slashed))))
        return variants

    def _finding(self, burst: Burst, response: ProbeResponse, parameter: str, via: str,
                 severity: Severity) -> Finding:
        return self.finding(
            "address-header-bypass" if severity is Severity.HIGH else "path-variant-bypass",
            f"Login throttling reset by {via}",
            severity=severity,
            confidence=Confidence.HIGH,
            description=(f"{burst.label} was throttled at failed login "
                         f"{burst.throttled_at} of a burst ({burst.signal}), but a failed "
                         f"login sent with {via} was processed normally ({response.status}) "
                         "while a plain retry right after was still throttled: the limiter "
                         "trusts what the client says."),
            remediation=REMEDIATION,
            exchange=response.exchange,
            path=burst.endpoint.path,
            parameter=parameter,
        )
