"""Rate-limit headers advertised but not enforced.

`X-RateLimit-*` / `RateLimit-*` headers promise a quota; if the quota runs out (remaining 0,
or more requests than the advertised limit) and requests still go through, clients and
operators are misled about the protection they have. Rule: judged on the shared burst of
failed logins (no extra traffic of its own).
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.rate_limiting.burst import run_burst, skip_reason
from apivigil.checks.rate_limiting.common import REMEDIATION
from apivigil.core.models import Category, Finding, Owasp, Severity


class AdvertisedLimits(Check):
    meta = CheckMeta(
        id="rate_limiting.advertised-limits",
        title="Rate-limit headers advertised but not enforced",
        category=Category.RATE_LIMITING,
        cwe=(799, 770),
        owasp=(Owasp.API4,),
        severity=Severity.MEDIUM,
        sends="nothing of its own: judges the shared burst of failed logins",
        phase=20,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        return skip_reason(ctx) or super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        burst = run_burst(ctx)
        if burst is None:
            return
        exhausted = next((a for a in burst.attempts if a.remaining() == 0), None)
        if exhausted is None:
            return
        later = [a for a in burst.attempts
                 if a.number > exhausted.number and a.status == burst.failure_status]
        if not later:
            return
        shown = "; ".join(f"{k}: {v}" for k, v in exhausted.limit_headers().items())
        yield self.finding(
            "limit-not-enforced",
            "Advertised rate limit is not enforced",
            severity=Severity.MEDIUM,
            description=(f"{burst.label} advertised its quota as used up at attempt "
                         f"{exhausted.number} ({shown}), yet {len(later)} further failed logins "
                         "were processed normally."),
            remediation=REMEDIATION,
            exchange=later[-1].response.exchange,
            path=burst.endpoint.path,
            data={"exhausted_at": exhausted.number, "processed_after": len(later)},
        )
