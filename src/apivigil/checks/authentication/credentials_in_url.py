"""Credentials in the URL: passwords, tokens and keys must not travel in the query string.

URLs end up in server and proxy access logs, browser history, Referer headers and monitoring
tools, so a credential in a query string leaks to everyone who reads them (CWE-598).

Two sources:

* the spec (no traffic): query parameters named like a credential (password, passwd, pwd,
  secret, token, access_token, api_key, apikey, key, auth, session id...) and `apiKey`
  security schemes that live `in: query` — `credentials-in-query` (medium; one finding per
  parameter name, listing the operations);
* tried (3 GETs): the authentication endpoint with `access_token`, `api_key` and `token` set to
  random values. When that changes the refusal (a different 401/403 body or status than the
  anonymous one) the server evidently reads credentials from the URL — `query-credentials-read`
  (low, confidence medium); a 2xx would mean a random value lets anyone in (critical). A 400 or
  422 (a strict API refusing an unknown parameter) is not a sign of either.

Only random values are sent: the user's real credentials are never put into a URL.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

from apivigil.checks.authentication.probing import (
    REFERENCES,
    note_throttled,
    protected_target,
    signature,
)
from apivigil.checks.base import PHASE_MALFORMED, Check, CheckMeta, ScanContext
from apivigil.checks.common import is_success
from apivigil.core.errors import ProbeError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.remediation import examples

CREDENTIAL_NAME = re.compile(
    r"^(x[-_])?(pass(word)?|passwd|pwd|secret|client[-_]?secret|(access|auth|id|refresh|bearer"
    r"|session|api)?[-_]?token|api[-_]?key|apikey|key|auth(orization)?|session[-_]?id|sid"
    r"|credentials?|jwt|signature|sig)$",
    re.IGNORECASE,
)
TRIED = ("access_token", "api_key", "token")
_NOT_A_SIGN = frozenset({400, 404, 405, 422, 429})

REMEDIATION = Remediation(
    summary=(
        "Take credentials only in headers (Authorization, or a dedicated API-key header) or "
        "in a POST body, never in the query string; refuse requests that put them there, and "
        "rotate any credential that was ever sent in a URL."
    ),
    examples=examples("credentials-in-headers"),
    references=(
        *REFERENCES,
        "https://cwe.mitre.org/data/definitions/598.html",
        "https://owasp.org/www-community/vulnerabilities/Information_exposure_through_query_strings_in_url",
    ),
)


class CredentialsInUrl(Check):
    meta = CheckMeta(
        id="authentication.credentials-in-url",
        title="Credentials accepted in the URL",
        category=Category.AUTHENTICATION,
        cwe=(598, 522),
        owasp=(Owasp.API2, Owasp.API8),
        severity=Severity.CRITICAL,
        sends="reads the spec; 3 GETs of the authentication endpoint with access_token, "
        "api_key and token query parameters set to random values",
        phase=PHASE_MALFORMED,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        yield from self._declared(ctx)
        yield from self._tried(ctx)

    def _declared(self, ctx: ScanContext) -> Iterator[Finding]:
        if ctx.spec is None:
            return
        places: dict[str, list[str]] = {}
        for op in ctx.spec.operations:
            for param in op.parameters:
                if param.location == "query" and CREDENTIAL_NAME.match(param.name):
                    places.setdefault(param.name, []).append(op.key)
            for scheme in ctx.spec.schemes_of(op):
                if scheme.type == "apiKey" and scheme.location == "query" and \
                        scheme.parameter_name:
                    places.setdefault(scheme.parameter_name, []).append(op.key)
        for name, operations in sorted(places.items()):
            unique = sorted(set(operations))
            yield self.finding(
                "credentials-in-query",
                f"Spec takes a credential in the query string ({name})",
                severity=Severity.MEDIUM,
                description=(
                    f"The spec declares the query parameter {name!r}, named like a "
                    f"credential, on {len(unique)} operation(s) (e.g. {unique[0]}): the "
                    "credential ends up in access logs, browser history and Referer headers."
                ),
                remediation=REMEDIATION,
                url=ctx.target.url,
                path=unique[0].split(" ", 1)[1],
                parameter=name,
                data={"operations": unique[:20]},
            )

    def _tried(self, ctx: ScanContext) -> Iterator[Finding]:
        target = protected_target(ctx)
        if target is None:
            return
        anonymous = signature(target.anonymous, [])
        separator = "&" if "?" in target.endpoint.url else "?"
        for name in TRIED:
            value = "apivigil" + secrets.token_hex(12)
            url = f"{target.endpoint.url}{separator}{name}={value}"
            try:
                response = ctx.http.get(url, use_extra_headers=False, accept_throttling=True)
            except ProbeError:
                return
            if response.status == 429:
                note_throttled(ctx, 429, f"at the {name} probe")
                return
            if response.status in _NOT_A_SIGN:
                continue
            if is_success(response):
                yield self.finding(
                    "query-credential-bypass",
                    f"Random {name} in the URL lets anyone in",
                    severity=Severity.CRITICAL,
                    description=(
                        f"GET {target.endpoint.path} refuses anonymous requests but answered "
                        f"{response.status} when the query string carried a random {name}."
                    ),
                    remediation=REMEDIATION,
                    exchange=response.exchange,
                    path=target.endpoint.path,
                    parameter=name,
                    cwe=(287, 598),
                )
                return
            if signature(response, [value]) != anonymous:
                yield self.finding(
                    "query-credentials-read",
                    f"Server reads a credential from the query string ({name})",
                    severity=Severity.LOW,
                    confidence=Confidence.MEDIUM,
                    description=(
                        f"GET {target.endpoint.path} answers differently when the query string "
                        f"carries a random {name} (HTTP {response.status}) than without it "
                        f"(HTTP {target.anonymous.status}): the server looks for credentials in "
                        "URLs, where they leak into logs."
                    ),
                    remediation=REMEDIATION,
                    exchange=response.exchange,
                    path=target.endpoint.path,
                    parameter=name,
                    data={"anonymous_status": target.anonymous.status,
                          "status": response.status},
                )
                return
