"""Forged JWTs: does the API verify the tokens it accepts?

On one protected GET endpoint (it refuses an anonymous request with 401/403 and answers the
identity's real token with 2xx), the check sends one request per forgery, each built by PyJWT
from the real token's header and claims:

1. the signature altered (one bit): accepted -> `jwt-signature-not-verified` (critical,
   CWE-347); then one more request with altered claims (another `sub`, role admin) shows the
   impact, and the forgeries below are not needed (nothing is verified);
2. `alg: none` with no signature -> `jwt-alg-none` (critical, CWE-347/327);
3. the signature stripped -> `jwt-signature-stripped` (critical, CWE-347);
4. an expired token -> `jwt-expired-accepted` (high, CWE-613): the same claims re-signed
   expired when the key was guessed (jwt.weak-secret), else a token that expired during the
   scan (renewal keeps the old one), else the real token once its `exp` has passed if that is at
   most 6 s away; otherwise this probe is skipped and said so in the notices;
5. RS256 -> HS256 confusion (critical, CWE-347/327), only for RS/PS tokens whose public key is
   published (`/.well-known/jwks.json`, `/jwks.json`, or the `jwks_uri` of
   `/.well-known/openid-configuration`): the claims signed with HS256 using the public key's
   PEM as the HMAC secret.

"Accepted" means 2xx where the anonymous request was refused: prove before reporting. Sends
at most 6 forgeries plus 1 request with the real token and up to 3 key look-ups (with the
shared anonymous baselines of up to 3 endpoints: at most 13). Evidence shows the forged
token's header and claims, never a signature; the Authorization header is masked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from apivigil.checks.authentication.probing import protected_endpoints
from apivigil.checks.base import PHASE_MALFORMED, Check, CheckMeta, ScanContext
from apivigil.checks.common import is_success
from apivigil.checks.jwt.tokens import (
    REMEDIATION,
    SeenToken,
    altered_claims,
    altered_signature,
    cracked_key,
    expired_copy,
    forge,
    no_token_reason,
    seen_tokens,
    stripped,
)
from apivigil.checks.target import Endpoint
from apivigil.core.errors import InconclusiveError, NothingToTestError, ProbeError
from apivigil.core.models import Category, Finding, Owasp, Severity
from apivigil.http.client import ProbeResponse

MAX_WAIT_FOR_EXPIRY_S = 6.0
JWKS_PATHS = ("/.well-known/jwks.json", "/jwks.json")
_ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")


class JwtForgery(Check):
    meta = CheckMeta(
        id="jwt.forgery",
        title="Forged JWTs accepted",
        category=Category.AUTHENTICATION,
        cwe=(347, 345, 613, 327),
        owasp=(Owasp.API2,),
        severity=Severity.CRITICAL,
        sends="one GET of a protected endpoint per forged token (signature altered, alg none, "
        "signature stripped, expired, RS256->HS256 with the published key): at most 13",
        # Forged tokens are failed logins to a limiter: after every check that needs the
        # identities accepted, one at a time (the shared baselines are there by then).
        phase=PHASE_MALFORMED,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        return no_token_reason(ctx) or super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        token = seen_tokens(ctx)[0]
        found, errors = self._endpoint(ctx, token)
        if found is None:
            what = (f"the genuine JWT of identity {token.identity!r} got a server error "
                    f"({', '.join(errors)}) and no protected GET endpoint accepted it"
                    if errors else
                    f"no protected GET endpoint accepted the JWT of identity "
                    f"{token.identity!r} and refused anonymous requests")
            ctx.notices.append(f"{self.meta.id}: {what}; forged tokens were not tried")
            # nothing was tested: no all-clear (a server error leaves it without a verdict)
            raise (InconclusiveError if errors else NothingToTestError)(what)
        endpoint, _ = found
        altered = self._send(ctx, endpoint, altered_signature(token))
        if altered is not None and is_success(altered):
            claims_token, claims = altered_claims(token)
            impact = self._send(ctx, endpoint, claims_token)
            claims_too = impact is not None and is_success(impact)
            yield self._accepted(
                token, endpoint, altered, "jwt-signature-not-verified",
                "JWT signature not verified",
                "a copy of the real token with one bit of its signature flipped was accepted"
                + ("; so was one with altered claims (another sub, role admin): anyone can be "
                   "anyone" if claims_too else ""),
                Severity.CRITICAL, (347, 345),
                token.shown() | {"altered_claims": token.shown(claims)["claims"]}
                if claims_too else token.shown())
            return
        none_claims = dict(token.claims)
        none_token = forge(none_claims, algorithm="none",
                           header={k: v for k, v in token.header.items() if k != "alg"})
        response = self._send(ctx, endpoint, none_token)
        if response is not None and is_success(response):
            yield self._accepted(token, endpoint, response, "jwt-alg-none",
                                 "JWT with alg none accepted",
                                 "a token whose header says alg none, with no signature, was "
                                 "accepted", Severity.CRITICAL, (347, 327),
                                 token.shown(header={**token.header, "alg": "none"}))
        response = self._send(ctx, endpoint, stripped(token))
        if response is not None and is_success(response):
            yield self._accepted(token, endpoint, response, "jwt-signature-stripped",
                                 "JWT without its signature accepted",
                                 "the real token with its signature removed was accepted",
                                 Severity.CRITICAL, (347,), token.shown())
        yield from self._expired(ctx, token, endpoint)
        if token.algorithm in _ASYMMETRIC:
            yield from self._confusion(ctx, token, endpoint)

    # -- the endpoint, and one forged request ----------------------------------------------

    def _endpoint(self, ctx: ScanContext, token: SeenToken
                  ) -> tuple[tuple[Endpoint, ProbeResponse] | None, list[str]]:
        """The first protected GET that accepts the genuine token, and the server errors it got
        before (the notice names them when none accepted it: the API failed, not the token)."""
        errors: list[str] = []
        for endpoint, _ in protected_endpoints(ctx, limit=3):
            response = self._send(ctx, endpoint, token.token)
            if response is not None and is_success(response):
                return (endpoint, response), errors
            if response is not None and response.status >= 500:
                errors.append(f"HTTP {response.status} on GET {endpoint.path}")
        return None, errors

    @staticmethod
    def _send(ctx: ScanContext, endpoint: Endpoint, token: str,
              renew: bool = False) -> ProbeResponse | None:
        headers = {**dict(endpoint.headers), "Authorization": f"Bearer {token}"}
        try:
            return ctx.http.get(endpoint.url, headers=headers, use_extra_headers=False,
                                accept_throttling=True, renew_credentials=renew)
        except ProbeError:
            return None

    def _accepted(self, token: SeenToken, endpoint: Endpoint, response: ProbeResponse,
                  rule: str, title: str, what: str, severity: Severity, cwe: tuple[int, ...],
                  shown: dict[str, Any]) -> Finding:
        return self.finding(
            rule, title, severity=severity,
            description=(f"GET {endpoint.path} refuses anonymous requests, but {what} "
                         f"(HTTP {response.status}): the API does not verify the JWTs of "
                         f"identity {token.identity!r} properly, so anyone can forge one."),
            remediation=REMEDIATION, exchange=response.exchange, path=endpoint.path,
            cwe=cwe, data=shown)

    # -- expiry --------------------------------------------------------------------------

    def _expired(self, ctx: ScanContext, token: SeenToken,
                 endpoint: Endpoint) -> Iterator[Finding]:
        expired, how = self._expired_token(ctx, token)
        if expired is None:
            ctx.notices.append(f"{self.meta.id}: whether expired tokens are refused was not "
                               f"tested ({how})")
            return
        response = self._send(ctx, endpoint, expired)
        if response is not None and is_success(response):
            yield self._accepted(token, endpoint, response, "jwt-expired-accepted",
                                 "Expired JWT accepted", f"{how} was accepted",
                                 Severity.HIGH, (613, 324), token.shown())

    def _expired_token(self, ctx: ScanContext, token: SeenToken) -> tuple[str | None, str]:
        key = cracked_key(ctx, token)
        if key is not None:
            return expired_copy(token, key), "a copy expired an hour ago (signed with the " \
                "guessed key)"
        old = ctx.http.expired_tokens()
        if old:
            return old[0], "a token issued earlier in the scan, past its exp"
        exp = token.claims.get("exp")
        if not isinstance(exp, int | float):
            return None, "the token has no exp"
        wait = exp - time.time() + 1.5
        if wait > MAX_WAIT_FOR_EXPIRY_S:
            return None, f"the token expires in {wait:.0f} s and its key is unknown"
        time.sleep(max(0.0, wait))
        return token.token, "the real token, after its exp had passed"

    # -- RS256 -> HS256 ------------------------------------------------------------------

    def _confusion(self, ctx: ScanContext, token: SeenToken,
                   endpoint: Endpoint) -> Iterator[Finding]:
        pem = self._public_key(ctx)
        if pem is None:
            return
        header = {k: v for k, v in token.header.items() if k not in ("alg", "typ")}
        forged = forge(dict(token.claims), algorithm="HS256-any-key", key=pem, header=header)
        response = self._send(ctx, endpoint, forged)
        if response is not None and is_success(response):
            yield self._accepted(token, endpoint, response, "jwt-algorithm-confusion",
                                 "JWT algorithm confusion (RS256 -> HS256) accepted",
                                 "a token signed with HS256 using the published RSA public key "
                                 "as the HMAC secret was accepted", Severity.CRITICAL,
                                 (347, 327), token.shown(header={**token.header,
                                                                  "alg": "HS256"}))

    def _public_key(self, ctx: ScanContext) -> bytes | None:
        """The first RSA public key the target publishes, as PEM (at most 3 GETs)."""
        origin = ctx.target.origin(ctx.target.scheme)
        urls = [origin + path for path in JWKS_PATHS]
        try:
            config = ctx.http.get(origin + "/.well-known/openid-configuration",
                                  use_extra_headers=False)
            jwks_uri = json.loads(config.text).get("jwks_uri") if config.status == 200 else None
            if isinstance(jwks_uri, str) and ctx.http.in_scope(jwks_uri):
                urls.insert(0, jwks_uri)
        except (ProbeError, ValueError, AttributeError):
            pass
        for url in urls[:2]:
            try:
                response = ctx.http.get(url, use_extra_headers=False)
                keys = json.loads(response.text).get("keys") if response.status == 200 else None
            except (ProbeError, ValueError, AttributeError):
                continue
            for key in keys if isinstance(keys, list) else []:
                if isinstance(key, dict) and key.get("kty") == "RSA":
                    try:
                        public = jwt.algorithms.RSAAlgorithm.from_jwk(key)
                    except (jwt.PyJWTError, ValueError, KeyError):
                        continue
                    return public.public_bytes(  # type: ignore[union-attr]
                        serialization.Encoding.PEM,
                        serialization.PublicFormat.SubjectPublicKeyInfo)
        return None
