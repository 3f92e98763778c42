"""Cacheable authenticated responses: data meant for one user kept by browsers and proxies.

A response to an authenticated request without `Cache-Control: no-store` (or `private`) may
be written to the browser's disk cache, where the next user of a shared computer can read it;
with `public` or `s-maxage` a shared proxy or CDN may store it and serve it to others.
Rule: the shared authenticated baselines of endpoints that refuse anonymous requests (or are
declared secured) are judged; `public`/`s-maxage` is medium, no `no-store`/`private` is low.
No extra traffic. Needs credentials.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import is_success
from apivigil.checks.data_exposure.common import observed_responses
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.remediation import examples

REMEDIATION = Remediation(
    summary="Send `Cache-Control: no-store` on every authenticated response.",
    examples=examples("no-store"),
    references=(
        "https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.5",
        "https://cwe.mitre.org/data/definitions/525.html",
    ),
)


def directives(value: str) -> set[str]:
    return {part.strip().split("=", 1)[0].lower() for part in value.split(",") if part.strip()}


class CacheControl(Check):
    meta = CheckMeta(
        id="data_exposure.cache-control",
        title="Authenticated responses may be cached",
        category=Category.DATA_EXPOSURE,
        cwe=(525, 524),
        owasp=(Owasp.API8,),
        severity=Severity.MEDIUM,
        sends="nothing new: inspects the shared observation (every GET, as each identity)",
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if ctx.credentials is None and not ctx.identities:
            return ctx.credentials_withheld_reason or (
                "needs credentials (-u USER:PASSWORD or --identity)")
        return super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        observed = observed_responses(ctx)
        refused = {o.endpoint.url for o in observed
                   if not o.authenticated and o.response.status in (401, 403)}
        weak: list[tuple[str, str]] = []
        shared: list[tuple[str, str]] = []
        first = None
        for item in observed:
            protected = item.endpoint.url in refused or item.endpoint.declared_secured
            if not (item.authenticated and protected and is_success(item.response)) or any(
                    path == item.endpoint.path for path, _ in weak + shared):
                continue  # one entry per operation, whichever identity saw it
            value = ", ".join(item.response.header_values("cache-control"))
            found = directives(value)
            if found & {"public", "s-maxage"}:
                shared.append((item.endpoint.path, value))
            elif not found & {"no-store", "private"}:
                weak.append((item.endpoint.path, value or "(none)"))
            else:
                continue
            first = first or item
        if first is None:
            return
        bad = shared or weak
        listing = "; ".join(f"{p}: Cache-Control {v}" for p, v in bad)
        yield self.finding(
            "cacheable-authenticated" if not shared else "shared-cacheable-authenticated",
            "Authenticated responses may be stored by shared caches" if shared
            else "Authenticated responses may be cached",
            severity=Severity.MEDIUM if shared else Severity.LOW,
            description=(f"Authenticated responses lack `no-store`/`private` ({listing}): "
                         + ("a shared proxy or CDN may store them and serve them to other users."
                            if shared else "browsers may keep them on disk after logout.")),
            remediation=REMEDIATION,
            exchange=first.response.exchange,
            data={"paths": [p for p, _ in bad]},
        )
