"""HSTS: HTTPS responses must tell clients never to use http:// for this host.

Without Strict-Transport-Security a client that once types or follows an http:// link sends
its Basic credentials in cleartext before any redirect can help, and an attacker can strip TLS.
HSTS is judged only on the final HTTPS response (after same-host redirects), never on a
redirect or on an HTTP response, where browsers ignore it.

The rule (this docstring is its documentation): one year (31536000 s) or more is silent, as
the HSTS preload list and most guides ask; under one year is low while it stays at or above the
180-day floor (15552000 s) most guides accept, and medium below it. A missing header, a
malformed one (no single valid max-age, or several headers), max-age=0 (which tells clients to
forget HSTS), and a header sent only over HTTP (where clients ignore it) are medium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import probe_endpoints
from apivigil.core.errors import ProbeError
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

ONE_YEAR = 31_536_000
FLOOR = 15_552_000  # 180 days
_MAX_AGE = re.compile(r'^\s*max-age\s*=\s*"?(\d+)"?\s*$', re.IGNORECASE)

REMEDIATION = Remediation(
    summary=(
        "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS "
        "response (at the proxy, or in the app; Flask-Talisman does it too)."
    ),
    examples=examples("https-only"),

    references=(
        "https://www.rfc-editor.org/rfc/rfc6797",
        "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html",
    ),
)


def parse_max_age(value: str) -> int | None:
    """max-age in seconds, or None when the header is malformed (RFC 6797 section 6.1)."""
    ages = []
    for directive in value.split(";"):
        directive = directive.strip()
        if directive.lower().startswith("max-age"):
            match = _MAX_AGE.match(directive)
            if not match:
                return None
            ages.append(int(match.group(1)))
    return ages[0] if len(ages) == 1 else None


class Hsts(Check):
    meta = CheckMeta(
        id="encryption.hsts",
        title="HTTP Strict Transport Security",
        category=Category.ENCRYPTION,
        cwe=(319, 523),
        owasp=(Owasp.API8,),
        severity=Severity.MEDIUM,
        sends="GET of one endpoint over https:// (following same-host redirects) and over http://",
        needs_https=True,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        endpoint = probe_endpoints(ctx, limit=1)[0]
        final = self._final_https_response(ctx, ctx.baseline(endpoint))
        if final is None:
            return
        values = final.header_values("strict-transport-security")
        if not values:
            yield self._over_http_only(ctx, endpoint.url) or self.finding(
                "hsts-missing",
                "HSTS header missing",
                severity=Severity.MEDIUM,
                description=(
                    "HTTPS responses carry no Strict-Transport-Security header, so clients may "
                    "still send requests (and Basic credentials) over http:// and TLS can be "
                    "stripped by an attacker on the path."
                ),
                remediation=REMEDIATION,
                exchange=final.exchange,
                path=endpoint.path,
            )
            return
        max_age = parse_max_age(values[0]) if len(values) == 1 else None
        if max_age is None or max_age == 0:
            yield self.finding(
                "hsts-malformed",
                "HSTS header malformed or disabled",
                severity=Severity.MEDIUM,
                description=(
                    f"Strict-Transport-Security is present but {values!r} has no single valid "
                    "max-age (or max-age=0, which tells clients to forget HSTS)."
                ),
                remediation=REMEDIATION,
                exchange=final.exchange,
                path=endpoint.path,
            )
        elif max_age < ONE_YEAR:
            yield self.finding(
                "hsts-short-max-age",
                "HSTS max-age too short",
                severity=Severity.MEDIUM if max_age < FLOOR else Severity.LOW,
                description=(
                    f"HSTS max-age is {max_age} s ({max_age // 86400} days); at least one year "
                    f"({ONE_YEAR} s) is recommended and under 180 days leaves long gaps."
                ),
                remediation=REMEDIATION,
                exchange=final.exchange,
                path=endpoint.path,
                data={"max_age": max_age},
            )

    def _final_https_response(
        self, ctx: ScanContext, response: ProbeResponse
    ) -> ProbeResponse | None:
        final = response
        for hop in ctx.http.follow(response):
            final = hop
        if final.is_redirect or not final.url.startswith("https://"):
            return None
        return final

    def _over_http_only(self, ctx: ScanContext, url: str) -> Finding | None:
        try:
            plain = ctx.http.get(ctx.target.twin(url, "http"), use_extra_headers=False)
        except ProbeError:
            return None
        if not plain.header_values("strict-transport-security"):
            return None
        return self.finding(
            "hsts-http-only",
            "HSTS sent over HTTP only",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            description=(
                "Strict-Transport-Security is sent on http:// responses, where clients ignore "
                "it, but not on https:// responses, where it would take effect."
            ),
            remediation=REMEDIATION,
            exchange=plain.exchange,
        )
