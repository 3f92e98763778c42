"""What the JWT checks share: the tokens seen in this scan, decoded, and how to show them.

A token is a credential: evidence shows its decoded header and claims (sensitive claim values
masked), never the token itself or its signature, and every token the checks forge is built
by PyJWT (`jwt.api_jws`), never by hand-rolled crypto.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jwt
from jwt.algorithms import HMACAlgorithm
from jwt.utils import base64url_decode, base64url_encode
from jwt.warnings import InsecureKeyLengthWarning

from apivigil.checks.base import ScanContext
from apivigil.core.models import Remediation
from apivigil.remediation import examples

_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$")
SENSITIVE_CLAIM = re.compile(
    r"pass(word)?|passwd|pwd|secret|hash|ssn|social|credit|card|cvv|iban|pin\b|"
    r"private|api[-_]?key|salary|dob|birth|phone|address", re.IGNORECASE)
HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")

REFERENCES = (
    "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
    "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",
    "https://datatracker.ietf.org/doc/html/rfc8725",
)

REMEDIATION = Remediation(
    summary=(
        "Verify every token with a JOSE library: pin the accepted algorithms on the server "
        "(never trust the token's `alg`), refuse `none`, verify the signature and `exp`, sign "
        "with a random 256-bit key kept out of the code, and keep tokens short-lived."
    ),
    examples=examples("jwt-verification"),
    references=REFERENCES,
)


@dataclass(frozen=True)
class SeenToken:
    """One JWT an identity authenticates with; `token` is a secret and never shown."""

    identity: str
    token: str
    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def algorithm(self) -> str:
        return str(self.header.get("alg", ""))

    @property
    def signing_input(self) -> bytes:
        return self.token.rsplit(".", 1)[0].encode()

    @property
    def signature(self) -> bytes:
        return base64url_decode(self.token.rsplit(".", 1)[1].encode())

    def shown(self, claims: dict[str, Any] | None = None,
              header: dict[str, Any] | None = None) -> dict[str, str]:
        """Header and claims as JSON for evidence: sensitive claim values masked, no
        signature. `claims`/`header` show a forged variant instead of the real ones."""
        masked = {k: ("[REDACTED]" if SENSITIVE_CLAIM.search(k) else v)
                  for k, v in (self.claims if claims is None else claims).items()}
        return {"header": json.dumps(self.header if header is None else header,
                                     sort_keys=True),
                "claims": json.dumps(masked, sort_keys=True, default=str),
                "signature": "[not shown]"}


def decode(token: str, identity: str = "") -> SeenToken | None:
    """The token's header and claims, read without verification, or None if not a JWT."""
    if not _JWT_SHAPE.match(token):
        return None
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False,
                                            "verify_nbf": False, "verify_iat": False,
                                            "verify_aud": False, "verify_iss": False})
        base64url_decode(token.rsplit(".", 1)[1].encode())  # a signature that decodes
    except (jwt.PyJWTError, ValueError):
        return None
    if not isinstance(claims, dict) or "alg" not in header:
        return None
    return SeenToken(identity, token, dict(header), claims)


def seen_tokens(ctx: ScanContext) -> list[SeenToken]:
    """The JWTs the verified identities authenticate with (supplied or issued by a login)."""
    found: list[SeenToken] = []
    for identity in ctx.identities:
        secret = identity.secret
        if secret is None:
            continue
        token = decode(secret, identity.name)
        if token is not None and all(t.token != token.token for t in found):
            found.append(token)
    return found


def no_token_reason(ctx: ScanContext) -> str | None:
    """Why the JWT checks cannot run, or None."""
    if ctx.credentials_withheld_reason is not None and not ctx.identities:
        return ctx.credentials_withheld_reason
    if not seen_tokens(ctx):
        return ("no JWT among the credentials (pass -u bearer:TOKEN, or -u USER:PASSWORD with "
                "--login or the spec's OAuth2 flow when the API issues JWTs)")
    return None


def common_secrets() -> list[str]:
    """The bundled list of common and default HMAC secrets (bounded, a few thousand)."""
    text = resources.files("apivigil.checks.jwt").joinpath("secrets.txt").read_text("utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def guess_hmac_key(token: SeenToken, candidates: list[str]) -> str | None:
    """The secret from `candidates` that verifies the token's HMAC signature, or None.

    PyJWT's own HMAC algorithm does the verification (constant-time compare); no traffic.
    """
    algorithm = jwt.get_algorithm_by_name(token.algorithm) \
        if token.algorithm in HMAC_ALGORITHMS else None
    if not isinstance(algorithm, HMACAlgorithm):
        return None
    message, signature = token.signing_input, token.signature
    for candidate in candidates:
        if algorithm.verify(message, candidate.encode(), signature):
            return candidate
    return None


def masked_secret(secret: str) -> str:
    """A cracked key as a report may show it: first and last character and the length."""
    if len(secret) <= 2:
        return "*" * len(secret) + f" ({len(secret)} characters)"
    return f"{secret[0]}{'*' * (len(secret) - 2)}{secret[-1]} ({len(secret)} characters)"


def _json(claims: dict[str, Any]) -> bytes:
    return json.dumps(claims, separators=(",", ":")).encode()


def cracked_key(ctx: ScanContext, token: SeenToken) -> str | None:
    """The token's HMAC key if it is on the bundled list (guessed once per scan, offline)."""
    return ctx.cache.get_or_compute(f"jwt:key:{token.token}",
                                    lambda: guess_hmac_key(token, common_secrets()))


class _AnyBytesHmac(HMACAlgorithm):
    """HS256 that takes any bytes as its key: only to build the RS256->HS256 confusion probe
    (the public key's PEM as an HMAC secret), which PyJWT rightly refuses by default."""

    def prepare_key(self, key: str | bytes) -> bytes:
        return key if isinstance(key, bytes) else key.encode()


def forge(claims: dict[str, Any], *, algorithm: str, key: str | bytes | None = None,
          header: dict[str, Any] | None = None) -> str:
    """A token signed by PyJWT with `algorithm` ("none" for an unsigned one)."""
    if algorithm == "HS256-any-key":
        signer = jwt.api_jws.PyJWS(algorithms=[])
        signer.register_algorithm("HS256", _AnyBytesHmac(HMACAlgorithm.SHA256))
        return signer.encode(_json(claims), key or b"", algorithm="HS256", headers=header)
    with warnings.catch_warnings():  # a guessed key is short by nature: that is the finding
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, key, algorithm=algorithm, headers=header)  # type: ignore[arg-type]


def stripped(token: SeenToken) -> str:
    """The original header and claims with the signature removed ("h.p.")."""
    return token.token.rsplit(".", 1)[0] + "."


def altered_signature(token: SeenToken) -> str:
    """The original header and claims with the signature's first byte flipped."""
    signature = bytearray(token.signature or b"\0")
    signature[0] ^= 0x01
    return token.token.rsplit(".", 1)[0] + "." + base64url_encode(bytes(signature)).decode()


def altered_claims(token: SeenToken) -> tuple[str, dict[str, Any]]:
    """The original header and signature around changed claims (another `sub`, role admin)."""
    claims = dict(token.claims)
    if "sub" in claims:
        claims["sub"] = f"{claims['sub']}-apivigil" if isinstance(claims["sub"], str) else 0
    for role in ("role", "roles", "scope", "admin", "is_admin", "isAdmin"):
        if role in claims:
            claims[role] = True if isinstance(claims[role], bool) else (
                ["admin"] if isinstance(claims[role], list) else "admin")
    if claims == token.claims:
        claims["apivigil"] = "altered"
    payload = base64url_encode(_json(claims)).decode()
    head, _, signature = token.token.split(".")
    return f"{head}.{payload}.{signature}", claims


def expired_copy(token: SeenToken, key: str) -> str:
    """The same claims, expired an hour ago, signed with a (guessed) HMAC key."""
    now = int(time.time())
    claims = {**token.claims, "iat": now - 7200, "exp": now - 3600}
    return forge(claims, algorithm=token.algorithm, key=key,
                 header={k: v for k, v in token.header.items() if k not in ("alg", "typ")})
