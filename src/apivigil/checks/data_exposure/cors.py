"""CORS: which web origins may read the API's responses from a victim's browser.

Reflecting any `Origin` (or `null`, which sandboxed iframes and `file:` pages send) together
with `Access-Control-Allow-Credentials: true` lets any web site read authenticated responses
with the victim's cookies or cached Basic credentials: high. `*` (or any origin reflected
without credentials) on a response that needs authentication is medium: browsers will not send
ambient credentials with it, but anything a script can attach is readable from everywhere.
Public, anonymous responses with `*` are fine and are not reported.

Rule: up to 3 endpoints, one GET each with `Origin: https://apivigil-origin.example` and, when
that one carries CORS headers, one with `Origin: null` (authenticated when credentials are
supplied).
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import is_success
from apivigil.checks.data_exposure.common import observed_responses
from apivigil.checks.observation import Observed
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

ARBITRARY_ORIGIN = "https://apivigil-origin.example"

REMEDIATION = Remediation(
    summary="Allow only the exact origins of your own front ends; never reflect the request's "
    "Origin, never allow `null`, and never combine credentials with a broad policy.",
    examples=examples("cors-allow-list"),
    references=(
        "https://portswigger.net/web-security/cors",
        "https://cwe.mitre.org/data/definitions/942.html",
    ),
)


class Cors(Check):
    _protected: set[str]

    meta = CheckMeta(
        id="data_exposure.cors",
        title="Permissive CORS policy",
        category=Category.DATA_EXPOSURE,
        cwe=(942, 346),
        owasp=(Owasp.API8,),
        severity=Severity.HIGH,
        sends="up to 6 GETs with a foreign or a null Origin header, with the user's credentials "
        "when supplied",
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        observed = observed_responses(ctx)
        self._protected = {o.endpoint.url for o in observed
                           if (not o.authenticated and o.response.status in (401, 403))
                           or o.endpoint.declared_secured}
        for item in self._targets(observed)[:3]:
            response = self._with_origin(ctx, item, ARBITRARY_ORIGIN)
            if response is None:
                continue
            finding = self._judge(item, response, ARBITRARY_ORIGIN)
            if finding is not None:
                yield finding
            if response.header_values("access-control-allow-origin") or "origin" in \
                    response.headers.get("vary", "").lower():
                null = self._with_origin(ctx, item, "null")
                if null is not None and (finding := self._judge(item, null, "null")):
                    yield finding

    def _targets(self, observed: list[Observed]) -> list[Observed]:
        """Authenticated views of protected endpoints first, then anything that answers."""
        ranked = sorted(observed, key=lambda o: (not o.authenticated,
                                                 o.endpoint.url not in self._protected))
        chosen: list[Observed] = []
        for item in ranked:
            if all(c.endpoint.url != item.endpoint.url for c in chosen):
                chosen.append(item)
        return chosen

    def _with_origin(self, ctx: ScanContext, item: Observed, origin: str) -> ProbeResponse | None:
        headers = {"Origin": origin, **(ctx.auth_headers() if item.authenticated else {})}
        try:
            return ctx.http.get(item.endpoint.url, headers=headers,
                                use_extra_headers=item.authenticated)
        except ProbeError:
            return None

    def _judge(self, item: Observed, response: ProbeResponse, origin: str) -> Finding | None:
        allowed = response.headers.get("access-control-allow-origin", "").strip()
        credentials = response.headers.get("access-control-allow-credentials", "").strip()
        path = item.endpoint.path
        label = "a null Origin" if origin == "null" else f"the foreign Origin {origin}"
        if allowed == origin and credentials.lower() == "true":
            return self.finding(
                "cors-origin-reflected",
                "CORS reflects any Origin with credentials" if origin != "null"
                else "CORS allows the null Origin with credentials",
                severity=Severity.HIGH,
                description=(f"GET {path} answered {label} with Access-Control-Allow-Origin: "
                             f"{allowed} and Access-Control-Allow-Credentials: true: any web page "
                             "a user visits can read this API's responses with their "
                             "credentials."),
                remediation=REMEDIATION,
                # Seen on an authenticated response, the exposure is proven; on an anonymous
                # one, only the policy is.
                confidence=Confidence.HIGH if item.authenticated else Confidence.MEDIUM,
                exchange=response.exchange,
                path=path,
                parameter="null" if origin == "null" else "arbitrary origin",
            )
        # Public data may be shared with every origin: only protected responses count.
        if (item.authenticated and item.endpoint.url in self._protected
                and is_success(response) and allowed in ("*", origin)):
            return self.finding(
                "cors-wildcard-authenticated",
                "CORS allows every origin on an authenticated response",
                severity=Severity.MEDIUM,
                description=(f"GET {path} is an authenticated response, yet it answered {label} "
                             f"with Access-Control-Allow-Origin: {allowed}: any web site may "
                             "read it whenever a script can attach the credential."),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=path,
            )
        return None
