"""Authentication enforcement: a protected endpoint must refuse requests that are not.

An endpoint is *protected* when its spec operation declares security, or when it answers an
anonymous request with 401/403. Such an endpoint that answers 2xx to no credentials, to wrong
credentials, to an empty password or to a malformed Authorization header lets anyone in.
Endpoints that are public by design (2xx anonymously and not declared secured) are left alone.

The probes follow the scheme the endpoint takes (its challenge, the spec's declared scheme, or
the kind of credential the scan was given): for HTTP Basic a random pair, an empty password and
a malformed header; for bearer tokens a random token, an empty bearer, a malformed token and
another scheme (a random Basic pair); for an API key (header or cookie) a random key and an
empty one. A 429 or 423 stops the check at
once (it never waits on a rate limiter) and it ends inconclusive: the variants not yet sent
are untested, so that is no clean result. Sends at most 3 requests per protected endpoint
(up to 10 endpoints) besides the shared anonymous baseline.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from apivigil.checks.authentication.probing import note_throttled
from apivigil.checks.base import PHASE_FAILED_LOGINS, Check, CheckMeta, ScanContext
from apivigil.checks.common import (
    DUMMY_USER,
    challenges,
    is_success,
    probe_endpoints,
    random_username,
)
from apivigil.checks.target import Endpoint
from apivigil.core.config import basic_header
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

REMEDIATION = Remediation(
    summary=(
        "Authenticate every request to a protected operation before doing any work, and "
        "answer failures with one generic 401 and a WWW-Authenticate challenge. Make the "
        "authentication decorator the default (deny unless proven) rather than opt-in."
    ),
    examples=examples("auth-enforcement"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
        "https://cwe.mitre.org/data/definitions/306.html",
    ),
)


TOKEN_REMEDIATION = Remediation(
    summary=(
        "Verify the token on every request to a protected operation before doing any work: "
        "a JOSE library with the algorithm pinned and exp required for JWTs, a constant-time "
        "lookup for API keys and sessions; refuse a missing, empty or malformed token with "
        "one generic 401 and a WWW-Authenticate: Bearer challenge."
    ),
    examples=examples("bearer-enforcement"),
    references=REMEDIATION.references,
)


def _variants_for(scheme: str, key_header: str | None) -> list[tuple[str, dict[str, str]]]:
    """(label, headers) of the wrong credentials to try, for the scheme the endpoint takes."""
    if scheme == "bearer":
        return [
            ("a random bearer token", {"Authorization": "Bearer " + secrets.token_urlsafe(24)}),
            ("an empty bearer token", {"Authorization": "Bearer"}),
            ("a malformed bearer token", {"Authorization": "Bearer !!not.a.token"}),
            ("another scheme (a random Basic pair)", {"Authorization": basic_header(
                random_username(), "wrong-" + random_username())}),
        ]
    if scheme == "cookie" and key_header:
        return [("a random session cookie",
                 {"Cookie": f"{key_header}=x-{secrets.token_hex(16)}"})]
    if scheme == "apikey" and key_header:
        return [(f"a random {key_header}", {key_header: "x-" + secrets.token_hex(16)}),
                (f"an empty {key_header}", {key_header: ""})]
    return [
        ("wrong credentials", {"Authorization": basic_header(random_username(),
                                                            "wrong-" + random_username())}),
        ("empty password", {"Authorization": basic_header(DUMMY_USER, "")}),
        ("malformed Authorization header", {"Authorization": "Basic !!!not-base64!!!"}),
    ]


def _remediation_for(scheme: str) -> Remediation:
    """The Basic fix for Basic endpoints, the token fix for bearer, API-key and session ones."""
    return REMEDIATION if scheme == "basic" else TOKEN_REMEDIATION


def endpoint_scheme(ctx: ScanContext, endpoint: Endpoint,
                    anonymous: ProbeResponse) -> tuple[str, str | None]:
    """("basic" | "bearer" | "apikey" | "cookie", the API key's header or cookie name)."""
    offered = challenges(anonymous)
    if offered == ["bearer"]:
        return "bearer", None
    if ctx.spec is not None and endpoint.operation is not None:
        for declared in ctx.spec.schemes_of(endpoint.operation):
            if declared.type == "apiKey" and declared.location == "header":
                return "apikey", declared.parameter_name
            if declared.type == "apiKey" and declared.location == "cookie":
                return "cookie", declared.parameter_name
            if declared.type in ("oauth2", "openIdConnect") or declared.scheme == "bearer":
                return "bearer", None
            if declared.scheme == "basic":
                return "basic", None
    kind = ctx.credential_kind
    if kind == "bearer token":
        return "bearer", None
    if kind == "session cookie" and ctx.identities[0].header is not None:
        return "cookie", ctx.identities[0].header[1].partition("=")[0].strip()
    if "basic" in offered or kind == "HTTP Basic":
        return "basic", None
    if ctx.identities and ctx.identities[0].header is not None:
        return "apikey", ctx.identities[0].header[0]
    return "basic", None


class AuthenticationEnforcement(Check):
    meta = CheckMeta(
        id="authentication.enforcement",
        title="Authentication not enforced on a protected endpoint",
        category=Category.AUTHENTICATION,
        cwe=(306, 287),
        owasp=(Owasp.API2,),
        severity=Severity.CRITICAL,
        sends="GET of up to 10 endpoints without credentials, then (for those that refuse) up "
        "to 4 wrong credentials of the endpoint's scheme: Basic (wrong pair, empty password, "
        "malformed), bearer (random, empty, malformed token, another scheme) or API key",
        phase=PHASE_FAILED_LOGINS,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for endpoint in probe_endpoints(ctx, limit=10):
            try:
                anonymous = ctx.baseline(endpoint)
            except ProbeError:
                continue
            if endpoint.declared_secured and is_success(anonymous):
                scheme, _ = endpoint_scheme(ctx, endpoint, anonymous)
                yield self.finding(
                    "not-enforced",
                    "Endpoint declared secured answers without credentials",
                    severity=Severity.CRITICAL,
                    description=(
                        f"The spec declares {endpoint.method} {endpoint.path} secured, but it "
                        f"answered {anonymous.status} to a request with no credentials: anyone "
                        "can call it."
                    ),
                    remediation=_remediation_for(scheme),
                    exchange=anonymous.exchange,
                    path=endpoint.path,
                )
                continue
            if anonymous.status not in (401, 403):
                continue
            scheme, key_header = endpoint_scheme(ctx, endpoint, anonymous)
            yield from self._variants(ctx, endpoint.url, endpoint.path,
                                      _variants_for(scheme, key_header),
                                      _remediation_for(scheme))

    def _variants(
        self, ctx: ScanContext, url: str, path: str, variants: list[tuple[str, dict[str, str]]],
        remediation: Remediation,
    ) -> Iterator[Finding]:
        for label, headers in variants:
            try:
                response = ctx.http.get(url, headers=headers,
                                        use_extra_headers=False, accept_throttling=True)
            except ProbeError:
                continue
            if response.status in (429, 423):
                # Refused, but the rest of the variants are untested: no verdict, and more
                # probes would only prolong the throttling.
                note_throttled(ctx, response.status, f"on GET {path}")
                return
            if is_success(response):
                yield self.finding(
                    "accepts-invalid-credentials",
                    f"Protected endpoint accepts {label}",
                    severity=Severity.CRITICAL,
                    description=(
                        f"GET {path} refuses anonymous requests but answered "
                        f"{response.status} to a request with {label}: the credential check "
                        "does not actually verify who is calling."
                    ),
                    remediation=remediation,
                    exchange=response.exchange,
                    path=path,
                    parameter=label,
                )
