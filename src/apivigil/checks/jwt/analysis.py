"""JWT analysis: what a token says about itself, read without sending anything.

On every JWT the scan authenticates with (supplied with `bearer:` or issued by a login), the
header and claims are decoded (never verified: this is what any holder can read) and judged:

* `jwt-unsigned` (high): the token itself says `alg: none`;
* `jwt-no-expiry` (medium): no `exp`, so a stolen token works forever (CWE-613);
* `jwt-long-lived` (low, medium beyond 30 days): `exp` more than 24 hours after issue;
* `jwt-no-issued-at` (info): neither `iat` nor `nbf`, so the server cannot refuse tokens issued
  before a password change or a breach;
* `jwt-sensitive-claims` (high for passwords, hashes and secrets, else medium): claims anyone
  holding the token can read (CWE-312, CWE-359) — a JWT is signed, not encrypted;
* `jwt-key-url-header` (medium): `jku` or `x5u` in the header, a key location a server that
  honours it lets the token choose (CWE-345); a `kid` with path or quote characters (low).

No traffic. Evidence shows the decoded header and claims (sensitive values masked), never the
token or its signature.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.jwt.tokens import (
    REMEDIATION,
    SENSITIVE_CLAIM,
    SeenToken,
    no_token_reason,
    seen_tokens,
)
from apivigil.core.models import Category, Finding, Owasp, Severity

DAY_S = 86_400
_SECRET_CLAIM = re.compile(r"pass(word)?|passwd|pwd|secret|hash|private|api[-_]?key", re.I)
_ODD_KID = re.compile(r"\.\.|/|\\|'|\"|;|\|")


class JwtAnalysis(Check):
    meta = CheckMeta(
        id="jwt.analysis",
        title="JWT header and claims",
        category=Category.AUTHENTICATION,
        cwe=(613, 312, 345),
        owasp=(Owasp.API2,),
        severity=Severity.HIGH,
        sends="nothing: decodes the JWTs the identities authenticate with",
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        return no_token_reason(ctx) or super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for token in seen_tokens(ctx):
            yield from self._judge(token)

    def _finding(self, token: SeenToken, rule: str, title: str, severity: Severity,
                 description: str, cwe: tuple[int, ...], **data: Any) -> Finding:
        return self.finding(
            rule, title, severity=severity,
            description=f"The JWT of identity {token.identity!r}: {description}",
            remediation=REMEDIATION, cwe=cwe, parameter=token.identity,
            data={**token.shown(), **data})

    def _judge(self, token: SeenToken) -> Iterator[Finding]:
        claims, header = token.claims, token.header
        if token.algorithm.lower() == "none":
            yield self._finding(token, "jwt-unsigned", "The API issues unsigned JWTs (alg none)",
                                Severity.HIGH, "its header says alg none: it carries no "
                                "signature, so anyone can write one.", (347, 327))
        exp, issued = claims.get("exp"), claims.get("iat", claims.get("nbf"))
        if not isinstance(exp, int | float):
            yield self._finding(token, "jwt-no-expiry", "JWT without expiry (no exp claim)",
                                Severity.MEDIUM, "it has no exp claim, so it never expires: a "
                                "token that leaks (logs, browser storage) works forever.", (613,))
        elif isinstance(issued, int | float) and exp - issued > DAY_S:
            days = (exp - issued) / DAY_S
            yield self._finding(
                token, "jwt-long-lived", f"Long-lived JWT ({days:.0f} days)",
                Severity.MEDIUM if days > 30 else Severity.LOW,
                f"it is valid for {days:.1f} days after issue; a stolen token stays useful "
                "that long (prefer minutes, with refresh tokens).", (613,),
                lifetime_s=int(exp - issued))
        if "iat" not in claims and "nbf" not in claims:
            yield self._finding(token, "jwt-no-issued-at", "JWT without iat or nbf",
                                Severity.INFO, "it has neither iat nor nbf, so the server "
                                "cannot refuse tokens issued before a given moment.", (613,))
        sensitive = sorted(k for k in claims if SENSITIVE_CLAIM.search(k))
        if sensitive:
            secret = any(_SECRET_CLAIM.search(k) for k in sensitive)
            yield self._finding(
                token, "jwt-sensitive-claims",
                f"JWT carries sensitive claims ({', '.join(sensitive)})",
                Severity.HIGH if secret else Severity.MEDIUM,
                f"its claims {', '.join(sensitive)} are readable by anyone who holds the "
                "token: a JWT is signed, not encrypted (values masked here).", (312, 359),
                sensitive_claims=sensitive)
        urls = [name for name in ("jku", "x5u") if name in header]
        if urls:
            yield self._finding(
                token, "jwt-key-url-header", f"JWT header names its key location ({urls[0]})",
                Severity.MEDIUM, f"its header carries {', '.join(urls)}: a server that "
                "fetches the verification key from there lets an attacker sign with their own "
                "key. Ignore these headers, or allow-list the exact URLs.", (345, 347))
        kid = header.get("kid")
        if isinstance(kid, str) and _ODD_KID.search(kid):
            yield self._finding(
                token, "jwt-odd-kid", "JWT kid header with path or quote characters",
                Severity.LOW, "its kid holds path or quote characters; if the server uses it "
                "in a file path or a query, that is an injection point.", (20,))
