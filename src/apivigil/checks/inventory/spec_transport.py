"""Spec promises vs transport: credential schemes next to cleartext servers (issue 3, item 3).

A spec that declares a credential-based scheme (http basic/bearer/digest, apiKey, oauth2,
openIdConnect) promises that clients will send a secret with their requests. If the same spec
lists an http:// server, generated clients and people reading it will send that secret in
cleartext; if the running service answers over http:// anyway, the promise of https:// servers
is not kept either. Findings name the scheme and the server (category encryption):

* `encryption.spec-credentials-over-http` (high): a credential scheme and an http:// server in
  the spec (read from the document, no traffic).
* `encryption.spec-no-https-server` (low): a credential scheme, but no https:// server at all,
  so the spec does not commit to TLS. A relative server (or none, which OpenAPI reads as "/")
  is relative to where the spec is served, so it resolves against the URL apivigil fetched the
  spec from: over https:// it is an https:// server (FastAPI's generated spec, served over
  TLS, is fine), over http:// it is reported. A spec read from a file has no such URL: its
  relative servers say nothing about the scheme, and are not judged (the runtime half is).
* `encryption.spec-cleartext-served` (high with a credential scheme, medium otherwise): the
  spec lists only https:// servers, or a credential scheme, but the service answers an
  operation over http:// (the target URL, or its twin on --http-port) instead of redirecting.
  One GET without credentials.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.inventory.common import listed
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.remediation import examples
from apivigil.spec.model import ApiSpec, SecurityScheme

REMEDIATION = Remediation(
    summary="List only https:// servers in the spec, serve the API over HTTPS only (a "
            "permanent redirect on port 80 before any authentication, or no listener at all), "
            "and add HSTS.",
    examples=examples("https-servers"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
        "https://cwe.mitre.org/data/definitions/319.html",
        "https://spec.openapis.org/oas/v3.1.0#server-object",
    ),
)


def credential_schemes(spec: ApiSpec) -> list[SecurityScheme]:
    """Defined schemes that carry a secret and that at least one operation requires."""
    used = spec.used_scheme_names
    return [s for name, s in sorted(spec.security_schemes.items())
            if s.carries_credentials and name in used]


def all_servers(spec: ApiSpec) -> list[str]:
    servers = list(spec.servers)
    for op in spec.operations:
        servers += [s for s in op.servers if s not in servers]
    return servers


def effective_servers(spec: ApiSpec) -> list[str]:
    """The servers clients call, as OpenAPI applies them: an operation's own, else the
    document's, else "/" (relative to where the spec is served)."""
    servers: list[str] = []
    for op in spec.operations:
        servers += [s for s in op.servers or spec.servers or ("/",) if s not in servers]
    return servers


class SpecTransport(Check):
    meta = CheckMeta(
        id="encryption.spec-transport",
        title="Spec promises vs transport",
        category=Category.ENCRYPTION,
        cwe=(319, 523),
        owasp=(Owasp.API8, Owasp.API2),
        severity=Severity.HIGH,
        sends="one GET of a spec operation on the http:// side, without credentials",
        needs_spec=True,
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        assert ctx.spec is not None
        yield from self.audit(ctx.spec)
        yield from self._runtime(ctx, ctx.spec)

    def audit(self, spec: ApiSpec) -> Iterator[Finding]:
        schemes = credential_schemes(spec)
        if not schemes:
            return
        names = ", ".join(s.label for s in schemes)
        servers = all_servers(spec)
        cleartext = [s for s in servers if s.lower().startswith("http://")]
        secured = [f"{op.method} {op.path}" for op in spec.operations if op.secured]
        if cleartext:
            yield self.finding(
                "spec-credentials-over-http",
                "Spec declares credentials and a cleartext http:// server",
                severity=Severity.HIGH,
                description=f"The spec requires {names} and lists the server "
                            f"{', '.join(cleartext)}: clients generated from it, and people "
                            "following it, send those credentials in cleartext, readable by "
                            "anyone on the network path.",
                remediation=REMEDIATION, url=cleartext[0], parameter=schemes[0].name,
                data={"schemes": [s.label for s in schemes], "servers": cleartext,
                      "operations": listed(secured)})
        elif not any(s.lower().startswith("https://") for s in servers):
            yield from self._no_https_server(spec, schemes, servers)

    def _no_https_server(self, spec: ApiSpec, schemes: list[SecurityScheme],
                         servers: list[str]) -> Iterator[Finding]:
        """Relative servers resolve against the spec's own URL (OpenAPI's server object), so
        a spec fetched over https:// does name an https:// server."""
        effective = effective_servers(spec)
        source = urlsplit(spec.source)
        if source.scheme.lower() in ("http", "https"):
            base = source._replace(query="", fragment="").geturl()  # no key in a query
            resolved = [urljoin(base, s) for s in effective]
            if any(r.lower().startswith("https://") for r in resolved):
                return
            how = (f"its servers ({', '.join(servers) or 'none, which means /'}) are relative "
                   f"to where it is served, and it was fetched from {base}, so they resolve "
                   f"to {', '.join(resolved)}")
        elif all(not urlsplit(s).scheme for s in effective):
            return  # a file: where its relative servers point is decided where it is served
        else:
            resolved, how = effective, f"it lists {', '.join(servers)}"
        yield self.finding(
            "spec-no-https-server", "Spec declares credentials but no https:// server",
            severity=Severity.LOW,
            description=f"The spec requires {', '.join(s.label for s in schemes)} but names no "
                        f"https:// server: {how}, so it does not commit clients to TLS.",
            remediation=REMEDIATION, parameter=schemes[0].name,
            data={"schemes": [s.label for s in schemes], "servers": servers,
                  "resolved": resolved})

    def _runtime(self, ctx: ScanContext, spec: ApiSpec) -> Iterator[Finding]:
        schemes = credential_schemes(spec)
        servers = all_servers(spec)
        https_only = bool(servers) and all(s.lower().startswith("https://") for s in servers)
        if not schemes and not https_only:
            return
        candidates = [e for e in ctx.target.concrete_endpoints()
                      if e.method == "GET" and e.operation is not None]
        candidates.sort(key=lambda e: not e.declared_secured)
        if not candidates:
            return
        endpoint = candidates[0]
        url = ctx.target.twin(endpoint.url, "http")
        try:
            response = ctx.http.get(url, use_extra_headers=False)
        except ProbeError:
            return  # nothing answers on the cleartext side
        if response.is_redirect and (response.location or "").startswith("https://"):
            return
        names = ", ".join(s.label for s in schemes)
        promise = (f"requires {names}" if schemes else "lists only https:// servers ("
                   + ", ".join(servers) + ")")
        yield self.finding(
            "spec-cleartext-served", "API served over http:// despite what its spec declares",
            severity=Severity.HIGH if schemes else Severity.MEDIUM,
            description=f"The spec {promise}, but {ctx.target.origin('http')} answered "
                        f"{endpoint.method} {endpoint.path} with {response.status} instead of "
                        "redirecting to https://, so credentials sent there travel in "
                        "cleartext.",
            remediation=REMEDIATION, exchange=response.exchange, path=endpoint.path,
            parameter=schemes[0].name if schemes else None,
            data={"schemes": [s.label for s in schemes], "servers": servers})
