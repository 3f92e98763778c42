"""Rate-limit signal on ordinary endpoints: information, never an alarm on its own.

Whether an ordinary endpoint is rate limited cannot be proven without flooding it, which
apivigil does not do. Rule: the shared baselines are inspected for `RateLimit-*` /
`X-RateLimit-*` headers; when none carries any, an info finding says so (no extra traffic).
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.common import probe_endpoints
from apivigil.checks.rate_limiting.burst import LIMIT_HEADERS
from apivigil.checks.rate_limiting.common import REMEDIATION
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Severity


class RateLimitSignal(Check):
    meta = CheckMeta(
        id="rate_limiting.signal",
        title="Ordinary endpoints advertise no rate limit",
        category=Category.RATE_LIMITING,
        cwe=(770,),
        owasp=(Owasp.API4,),
        severity=Severity.INFO,
        sends="nothing new: inspects the shared GET baselines",
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        silent = []
        first = None
        for endpoint in probe_endpoints(ctx):
            try:
                response = ctx.baseline(endpoint)
            except ProbeError:
                continue
            if any(response.headers.get(h) is not None for h in LIMIT_HEADERS if
                   h != "retry-after"):
                return
            silent.append(endpoint.path)
            first = first or response
        if first is None:
            return
        yield self.finding(
            "no-rate-limit-signal",
            "No rate-limit headers on ordinary endpoints",
            severity=Severity.INFO,
            description=(f"None of {', '.join(silent)} advertises a rate limit (RateLimit-* or "
                         "X-RateLimit-* headers). That is not proof of a missing limit, but "
                         "clients cannot pace themselves and unbounded use goes unnoticed."),
            remediation=REMEDIATION,
            exchange=first.exchange,
            data={"paths": silent},
        )
