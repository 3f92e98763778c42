"""A publicly served spec: the API's full map is available to anyone (info).

Publishing an OpenAPI document is often deliberate and fine; it is reported (info) so that it is
a decision, not an accident: for an internal API it hands an attacker every operation, parameter
and security requirement. Reported when the spec was discovered on the target, or given as a
URL on the target's host, and it answers without credentials (one GET); a spec the scan had
to fetch with the credential (it refused anonymous clients) is refused again here: silent.

* `inventory.public-spec` (info).
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.inventory.common import SPEC_REFERENCES
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.remediation import examples

REMEDIATION = Remediation(
    summary="Publish the spec only if the API is public; otherwise serve it behind "
            "authentication or not at all in production.",
    examples=examples("private-spec"),
    references=SPEC_REFERENCES,
)


class PublicSpec(Check):
    meta = CheckMeta(
        id="inventory.public-spec",
        title="OpenAPI spec served publicly",
        category=Category.INVENTORY,
        cwe=(200,),
        owasp=(Owasp.API9,),
        severity=Severity.INFO,
        sends="one GET of the spec URL, without credentials",
        needs_spec=True,
        phase=PHASE_PROBES,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        reason = super().applies_to(ctx)
        if reason is None and ctx.spec is not None and not ctx.http.in_scope(ctx.spec.source):
            return "the spec was not served by the target"
        return reason

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        assert ctx.spec is not None
        url = ctx.spec.source
        try:
            response = ctx.http.get(url, use_extra_headers=False)
        except ProbeError:
            return
        if response.status != 200:
            return
        how = "found by apivigil in a well-known place" if ctx.spec.discovered else "given"
        yield self.finding(
            "public-spec", "OpenAPI spec served without authentication",
            severity=Severity.INFO,
            description=f"The API's OpenAPI {ctx.spec.version} document ({how}) is served to "
                        f"anyone at {url}: {len(ctx.spec.operations)} operations with their "
                        "parameters and security requirements.",
            remediation=REMEDIATION, exchange=response.exchange, method="GET", url=url)
