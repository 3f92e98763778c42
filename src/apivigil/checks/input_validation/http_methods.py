"""Dangerous HTTP methods: TRACE answered, method-override headers honoured.

TRACE echoes the request (cookies and headers added by proxies included) back to the caller:
cross-site tracing. A server that honours `X-HTTP-Method-Override` (or `X-HTTP-Method`,
`X-Method-Override`, `?_method=`) lets a plain GET act as any method, slipping past proxies,
WAFs and CSRF defences that only look at the real method.

Rule, kept safe: one TRACE with a marker header (TRACE is read-only); a finding when the
marker comes back. The override test sends only GETs, overriding to PROPFIND, a method the
endpoint does not support: if the ordinary GET succeeds but the GET with the header answers
405/501, the server acted on the header. Nothing can change state.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.common import is_success, probe_endpoints
from apivigil.checks.target import Endpoint
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

OVERRIDE_HEADERS = ("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override")
OVERRIDE_TO = "PROPFIND"

# No code example: Flask and FastAPI answer TRACE with 405 unless a route lists it. A TRACE
# that echoes comes from the server or proxy in front of the app, and is turned off there.
TRACE_REMEDIATION = Remediation(
    summary="Turn TRACE off where it is answered: the web server, proxy or load balancer in "
    "front of the app (Apache: `TraceEnable off`; nginx refuses TRACE with 405 on its own). "
    "Flask and FastAPI refuse it with 405 unless a route lists TRACE: list only the methods "
    "each endpoint needs.",
    references=("https://owasp.org/www-community/attacks/Cross_Site_Tracing",
                "https://httpd.apache.org/docs/current/mod/core.html#traceenable"),
)
OVERRIDE_REMEDIATION = Remediation(
    summary="Do not honour method-override headers or parameters; if a legacy client needs "
    "one, accept it only on POST and only for an allow-list of methods.",
    examples=examples("method-override"),
    references=("https://cwe.mitre.org/data/definitions/650.html",),
)


class HttpMethods(Check):
    meta = CheckMeta(
        id="input_validation.http-methods",
        title="TRACE enabled or method-override honoured",
        category=Category.INPUT_VALIDATION,
        cwe=(16, 650),
        owasp=(Owasp.API8,),
        severity=Severity.MEDIUM,
        sends="one TRACE with a marker header, and up to 4 GETs overriding the method to "
        "PROPFIND (three headers and ?_method=)",
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        endpoints = probe_endpoints(ctx, limit=5)
        yield from self._trace(ctx, endpoints[0])
        target = self._succeeding(ctx, endpoints)
        if target is not None:
            yield from self._override(ctx, *target)

    def _trace(self, ctx: ScanContext, endpoint: Endpoint) -> Iterator[Finding]:
        marker = "apivigil-" + secrets.token_hex(6)
        try:
            response = ctx.http.request("TRACE", endpoint.url, headers={"X-Apivigil-Trace": marker},
                                        use_extra_headers=False)
        except ProbeError:
            return
        if is_success(response) and marker in response.text:
            yield self.finding(
                "trace-enabled",
                "TRACE method enabled",
                severity=Severity.MEDIUM,
                description=(f"TRACE {endpoint.path} answered {response.status} and echoed the "
                             "request's headers back: a script that can send TRACE reads "
                             "headers it could not see otherwise (cross-site tracing)."),
                remediation=TRACE_REMEDIATION,
                exchange=response.exchange,
                path=endpoint.path,
                cwe=(16, 693),
            )

    def _succeeding(self, ctx: ScanContext,
                    endpoints: list[Endpoint]) -> tuple[Endpoint, bool] | None:
        """An endpoint whose ordinary GET succeeds (authenticated when that is needed)."""
        for endpoint in endpoints:
            for authenticated in ((False, True) if ctx.has_credentials else (False,)):
                try:
                    if is_success(ctx.baseline(endpoint, authenticated=authenticated)):
                        return endpoint, authenticated
                except ProbeError:
                    continue
        return None

    def _override(self, ctx: ScanContext, endpoint: Endpoint,
                  authenticated: bool) -> Iterator[Finding]:
        headers = ctx.auth_headers() if authenticated else {}
        parts = urlsplit(endpoint.url)
        query = (parts.query + "&" if parts.query else "") + f"_method={OVERRIDE_TO}"
        variants: list[tuple[str, str, dict[str, str]]] = [
            (name, endpoint.url, {name: OVERRIDE_TO}) for name in OVERRIDE_HEADERS]
        variants.append(("_method", urlunsplit(parts._replace(query=query)), {}))
        for label, url, extra in variants:
            try:
                response = ctx.http.get(url, headers={**headers, **extra},
                                        use_extra_headers=authenticated)
            except ProbeError:
                continue
            if response.status in (405, 501):
                yield self._override_finding(endpoint, label, response)

    def _override_finding(self, endpoint: Endpoint, label: str,
                          response: ProbeResponse) -> Finding:
        how = f"?{label}={OVERRIDE_TO}" if label == "_method" else f"{label}: {OVERRIDE_TO}"
        return self.finding(
            "method-override",
            "Method-override header honoured" if label != "_method"
            else "Method-override parameter honoured",
            severity=Severity.MEDIUM,
            description=(f"GET {endpoint.path} succeeds, but the same GET with {how} answered "
                         f"{response.status}: the server treats the request as {OVERRIDE_TO}. "
                         "A GET (a link, an image tag) can then act as PUT or DELETE, past "
                         "proxies and CSRF defences that trust the real method."),
            remediation=OVERRIDE_REMEDIATION,
            exchange=response.exchange,
            path=endpoint.path,
            parameter=label,
            cwe=(650,),
        )
