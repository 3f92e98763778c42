"""Cleartext exposure: the API answers over http:// instead of redirecting to https://.

Credentials travel with every request (Basic pairs only base64-encoded, bearer tokens, API keys
and session cookies as they are, and a login POST carries the password itself), so an API that
serves them over cleartext HTTP hands them to anyone on the path. The finding names the kinds
this API uses (its challenges, the spec's schemes, the login flow, the credential supplied).
The check asks the cleartext side (the URL given, or its twin on --http-port) for a few
endpoints, first without and then with a random dummy credential (never the user's), and
reports:

* critical: the cleartext side asks for Basic credentials (a challenge) or serves a request
  that carries them (including endpoints it should protect);
* high: the cleartext side serves the API but shows no sign of taking credentials.

When the cleartext side redirects anywhere (even only for some paths, or only after a
credential), the HTTPS-enforcement check judges it instead, so one problem gets one finding.
The answers come from the survey in `httpside.py`, shared with that check.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import challenges, credential_exposure
from apivigil.checks.encryption.httpside import http_side
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.remediation import examples

REMEDIATION = Remediation(
    summary=(
        "Serve the API over HTTPS only. On port 80 answer every request with a permanent "
        "redirect (301/308) to https:// (on the HTTPS port) before authentication runs, or "
        "do not listen on cleartext at all; add HSTS so clients never try http:// again. "
        "Rotate credentials that were used over HTTP."
    ),
    examples=examples("https-only"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
        "https://cwe.mitre.org/data/definitions/319.html",
    ),
)


class CleartextExposure(Check):
    meta = CheckMeta(
        id="encryption.cleartext",
        title="API served over cleartext HTTP",
        category=Category.ENCRYPTION,
        cwe=(319, 523),
        owasp=(Owasp.API8, Owasp.API2),
        severity=Severity.CRITICAL,
        sends="GET to up to 5 endpoints and / on the http:// side, without and with a dummy "
        "Basic credential (shared with encryption.https-enforcement)",
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        side = http_side(ctx)
        if not side.listening or side.any_redirect:
            return  # nothing listens, or redirects exist: judged by encryption.https-enforcement
        served = [p for p in side.probes if not p.extra]
        if not served:
            return
        credential_paths = [p.path for p in served if p.asks_credentials]
        first_exchange = next((p.evidence.exchange for p in served if p.asks_credentials),
                              served[0].plain.exchange)
        origin = ctx.target.origin("http")
        offered = sorted({c for p in served for r in (p.plain, p.with_dummy) if r is not None
                          for c in challenges(r)})
        exposure = credential_exposure(ctx, offered)
        if credential_paths:
            yield self.finding(
                "cleartext-credentials",
                "Credentials accepted over cleartext HTTP",
                severity=Severity.CRITICAL,
                description=(
                    f"{origin} asks for or accepts credentials without redirecting to HTTPS. "
                    f"Here {exposure}: anyone on the network path (Wi-Fi, proxy, ISP) can "
                    "read and replay them."
                ),
                remediation=REMEDIATION,
                exchange=first_exchange,
                url=origin,
                data={"paths": credential_paths},
            )
        else:
            yield self.finding(
                "https-not-enforced",
                "HTTPS not enforced: API served over cleartext HTTP",
                severity=Severity.HIGH,
                description=(
                    f"{origin} serves the API over cleartext HTTP instead of redirecting to "
                    "HTTPS, so requests and responses can be read and altered in transit."
                ),
                remediation=REMEDIATION,
                exchange=first_exchange,
                url=origin,
                data={"paths": [p.path for p in served]},
            )
