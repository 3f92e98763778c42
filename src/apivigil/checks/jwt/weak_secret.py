"""JWT signed with a guessable HMAC key: anyone who guesses the key can sign any token.

For every HS256/HS384/HS512 JWT the scan authenticates with, the signature is checked offline,
in-process, against a bounded bundled list of common and default secrets
(`checks/jwt/secrets.txt`: 2,500 entries such as `secret`, `your-256-bit-secret`, framework
defaults and their usual variants), with PyJWT's HMAC implementation. A key that verifies the
signature is proof, not a guess: critical (CWE-321, CWE-798, CWE-521), shown masked (first and
last character and the length), never in full. No traffic; about 0.1 s for the whole list
(bench/jwt_budget.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.jwt.tokens import (
    HMAC_ALGORITHMS,
    REMEDIATION,
    common_secrets,
    cracked_key,
    masked_secret,
    no_token_reason,
    seen_tokens,
)
from apivigil.core.models import Category, Finding, Owasp, Severity


class JwtWeakSecret(Check):
    meta = CheckMeta(
        id="jwt.weak-secret",
        title="JWT signed with a guessable key",
        category=Category.AUTHENTICATION,
        cwe=(321, 798, 521),
        owasp=(Owasp.API2,),
        severity=Severity.CRITICAL,
        sends="nothing: checks the JWT's HMAC signature offline against a bundled list of "
        "common secrets",
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        reason = no_token_reason(ctx) or super().applies_to(ctx)
        if reason is None and not any(t.algorithm in HMAC_ALGORITHMS for t in seen_tokens(ctx)):
            return "no HMAC-signed (HS256/384/512) JWT to check"
        return reason

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        size = len(common_secrets())
        for token in seen_tokens(ctx):
            if token.algorithm not in HMAC_ALGORITHMS:
                continue
            started = time.perf_counter()
            key = cracked_key(ctx, token)
            if key is None:
                continue
            yield self.finding(
                "jwt-weak-secret",
                "JWT signed with a guessable key",
                severity=Severity.CRITICAL,
                description=(
                    f"The {token.algorithm} signature of identity {token.identity!r}'s JWT "
                    f"verifies with a common secret ({masked_secret(key)}), found offline in "
                    f"apivigil's list of {size} common and default secrets. Anyone can sign "
                    "tokens for any user or role with it."
                ),
                remediation=REMEDIATION,
                parameter=token.identity,
                data={**token.shown(), "key": masked_secret(key), "list_size": size,
                      "guess_s": round(time.perf_counter() - started, 3)},
            )
