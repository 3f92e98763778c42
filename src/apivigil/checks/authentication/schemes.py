"""Authentication scheme detection: which scheme each endpoint uses, from three sources.

The `WWW-Authenticate` challenge an endpoint sends to an anonymous request (Basic, Bearer,
Digest...), the security schemes its spec operation declares, and what the user supplied
(`-u` is HTTP Basic; `-H Authorization: ...` names its own scheme). The result is one *info*
finding that lists, per endpoint, the scheme(s) seen and where they were seen, so a reader can
tell which endpoints the other authentication checks could judge. It sends nothing of its own:
it reads the anonymous baselines every check shares, and it reports nothing above info (a 401
without a challenge is judged by `authentication.verbose-errors`).
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import challenges, probe_endpoints
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity

INFO_REMEDIATION = Remediation(
    summary="Nothing to fix: this lists the authentication schemes seen, for the record.",
    references=("https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1",),
)

def supplied_scheme(ctx: ScanContext) -> str | None:
    """The scheme of what the user supplied (or a login issued): basic, bearer, apikey,
    cookie, else the scheme word of an Authorization -H header."""
    if ctx.identities:
        kind = ctx.identities[0].kind
        return {"HTTP Basic": "basic", "bearer token": "bearer", "session cookie": "cookie",
                "API key": "apikey", "API key (query)": "apikey-query"}.get(
                    kind, kind.split(" ", 1)[0].lower())
    if ctx.options.credentials is not None:
        return "basic"
    for name, value in ctx.options.headers:
        if name.lower() == "authorization" and value.strip():
            return value.split(None, 1)[0].lower()
    return None


class AuthenticationSchemes(Check):
    meta = CheckMeta(
        id="authentication.schemes",
        title="Authentication schemes in use",
        category=Category.AUTHENTICATION,
        cwe=(287,),
        owasp=(Owasp.API2,),
        severity=Severity.INFO,
        sends="nothing of its own: reads the shared anonymous GET of up to 10 endpoints",
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        lines: list[str] = []
        supplied = supplied_scheme(ctx)
        for endpoint in probe_endpoints(ctx, limit=10):
            try:
                anonymous = ctx.baseline(endpoint)
            except ProbeError:
                continue
            sources: dict[str, list[str]] = {}
            for scheme in challenges(anonymous):
                sources.setdefault(scheme, []).append("challenge")
            if ctx.spec is not None and endpoint.operation is not None:
                for declared in ctx.spec.schemes_of(endpoint.operation):
                    name = declared.scheme or declared.type
                    if declared.type == "apiKey":
                        name = f"apikey-{declared.location}"
                    sources.setdefault(name.lower(), []).append("spec")
            if supplied and (endpoint.declared_secured or anonymous.status in (401, 403)):
                sources.setdefault(supplied, []).append("supplied")
            described = ", ".join(f"{s} ({'+'.join(v)})" for s, v in sorted(sources.items()))
            lines.append(f"{endpoint.method} {endpoint.path}: "
                         f"{described or 'none'} [anonymous {anonymous.status}]")
        if lines:
            yield self.finding(
                "schemes-detected",
                "Authentication schemes detected",
                severity=Severity.INFO,
                description="The authentication scheme(s) seen for each endpoint probed.",
                summary="; ".join(lines),
                remediation=INFO_REMEDIATION,
                url=ctx.target.url,
                data={"endpoints": lines, "supplied": supplied},
            )
