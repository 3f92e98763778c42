"""Detectors for secrets and personal data in response bodies, with context to stay precise.

Each detector needs more than a loose regex: a format with fixed structure (bcrypt, argon2,
provider key prefixes, PEM armour), a checksum (Luhn for card numbers), a decodable structure
(a JWT's header must be JSON with `alg`), or a field name that says what the value is (bare
MD5/SHA hex only counts in a password-like field). `Match.masked` is what evidence may show.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_PASSWORD_FIELD = re.compile(r"pass|pwd", re.IGNORECASE)  # not "hash": file/commit hashes
# Fields whose numbers are identifiers or measurements, never card numbers.
_NOT_CARD_FIELD = re.compile(r"(^|_)id$|ids?$|Id$|time|date|count|phone|tel|serial|order|"
                             r"number_of|amount|size|version", re.IGNORECASE)
_CARD_FIELD = re.compile(r"card|^pan$|^cc|credit", re.IGNORECASE)
_NATIONAL_ID_FIELD = re.compile(r"ssn|social_?security|national_?id|tax_?id", re.IGNORECASE)
_TOKEN_FIELD = re.compile(r"token|jwt|bearer|session", re.IGNORECASE)
# A field that holds the password itself (not its policy, age or hash).
_PLAIN_PASSWORD_FIELD = re.compile(
    r"^(?:user_?|plain_?|raw_?|clear_?|current_?)?(?:password|passwd|pwd|pass|passphrase)"
    r"(?:_?plain|_?clear)?$", re.IGNORECASE)
_MASKED = re.compile(r"^(?:[*•x#.\-]{3,}|\[?(?:redacted|hidden|masked|secret|removed|"
                     r"filtered|omitted)\]?|<[a-z -]+>|null|none|)$", re.IGNORECASE)
# Environment-style names whose values are secrets: DB_PASSWORD, JWT_SECRET_KEY, API_TOKEN.
_ENV_SECRET_NAME = re.compile(
    r"^(?:[A-Z0-9]+_)*(?:PASSWORD|PASSWD|PWD|SECRET|SECRET_KEY|SECRET_ACCESS_KEY|PRIVATE_KEY|"
    r"API_KEY|APIKEY|ACCESS_KEY|KEY|TOKEN|ACCESS_TOKEN|AUTH_TOKEN|CREDENTIALS?)$")
_NOT_SECRET_NAME = re.compile(r"PUBLIC|(?:^|_)(?:SORT|PRIMARY|FOREIGN|PARTITION)_KEY$")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]{1,80})\s*[=:]\s*[\"']?([^\s\"']{1,512})",
                       re.MULTILINE)
_URL_WITH_CREDENTIALS = re.compile(
    r"\b[a-z][a-z0-9+.-]{1,20}://[^\s/:@\"']{1,64}:([^\s/@\"']{1,128})@[^\s/\"']{1,253}",
    re.IGNORECASE)

_HASH_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bcrypt", re.compile(r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}")),
    ("argon2", re.compile(r"\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$"
                          r"[A-Za-z0-9+/]+")),
    ("sha512-crypt", re.compile(r"\$6\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}")),
    ("sha256-crypt", re.compile(r"\$5\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43}")),
    ("md5-crypt", re.compile(r"\$1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}")),
    ("werkzeug-pbkdf2", re.compile(r"pbkdf2:sha\d+(?::\d+)?\$[A-Za-z0-9]+\$[0-9a-f]{40,128}")),
    ("werkzeug-scrypt", re.compile(r"scrypt:\d+:\d+:\d+\$[A-Za-z0-9]+\$[0-9a-f]{64,256}")),
)
_BARE_HEX = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$")

_KEY_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b")),
    ("Stripe secret key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{24,}\b")),
    ("Slack token", re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}\b")),
    ("Slack webhook", re.compile(
        r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_CARD = re.compile(r"(?<![\d.-])(?:\d[ -]?){12,18}\d(?![\d.-])")
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
# Bounded parts (RFC 5321 lengths) keep the scan linear on 2 MiB bodies of word characters.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}"
                    r"(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b")


@dataclass(frozen=True)
class Match:
    """One sensitive value: what it is, where (JSON path or offset), masked for evidence."""

    # password-hash, password-plaintext, env-secret, private-key, api-key, jwt, card-number,
    # national-id, email
    kind: str
    label: str  # e.g. "bcrypt", "AWS access key id"
    where: str
    value: str  # raw: only used to mask the evidence, never shown

    @property
    def masked(self) -> str:
        return mask(self.value)


def mask(value: str) -> str:
    """The first four characters and the length: enough to recognise, useless to abuse."""
    keep = 4 if len(value) > 12 else 1
    return f"{value[:keep]}…[{len(value)} chars masked]"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def _card_brand(digits: str) -> bool:
    """A known issuer prefix and length (Visa, Mastercard, Amex, Discover)."""
    n = len(digits)
    return ((digits[0] == "4" and n in (13, 16, 19))
            or (n == 16 and (51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720))
            or (n == 15 and digits[:2] in ("34", "37"))
            or (n == 16 and (digits.startswith("6011") or digits.startswith("65"))))


def _jwt_alg(token: str) -> str | None:
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except ValueError:
        return None
    if isinstance(header, dict) and isinstance(header.get("alg"), str):
        return str(header["alg"])
    return None


def leaves(body: str) -> Iterator[tuple[str, str, str, bool]]:
    """(where, field name, text, is a JSON number) for every string/number in a JSON body,
    or the whole text when the body is not JSON."""
    try:
        data = json.loads(body)
    except ValueError:
        yield "body", "", body, False
        return
    yield from _walk(data, "$", "")


def _walk(node: Any, where: str, field: str) -> Iterator[tuple[str, str, str, bool]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{where}.{key}", str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}[{index}]", field)
    elif isinstance(node, str | int) and not isinstance(node, bool):
        yield where, field, str(node), isinstance(node, int)


def scan(body: str, *, auth_like_path: bool = False) -> list[Match]:
    """Every sensitive value found in `body` (JSON walked field by field, else plain text)."""
    found: list[Match] = []
    emails: dict[str, str] = {}
    for where, field, text, is_number in leaves(body):
        found.extend(_scan_leaf(where, field, text, auth_like_path, is_number))
        for email in _EMAIL.findall(text):
            emails.setdefault(email.lower(), where)
    if len(emails) >= 1:
        found.extend(Match("email", "email address", where, email)
                     for email, where in sorted(emails.items()))
    return found


def _scan_leaf(where: str, field: str, text: str, auth_like_path: bool,
               is_number: bool) -> Iterator[Match]:
    for label, pattern in _HASH_FORMATS:
        for hit in pattern.finditer(text):
            yield Match("password-hash", label, where, hit.group(0))
    if field and _PASSWORD_FIELD.search(field) and _BARE_HEX.match(text.strip()):
        yield Match("password-hash", f"bare hex digest ({len(text.strip()) * 4} bits)", where,
                    text.strip())
    yield from _plaintext_password(where, field, text, is_number)
    yield from _env_secrets(where, field, text)
    for label, pattern in _KEY_FORMATS:
        for hit in pattern.finditer(text):
            yield Match("private-key" if label == "private key" else "api-key", label, where,
                        hit.group(0))
    for hit in _JWT.finditer(text):
        alg = _jwt_alg(hit.group(0))
        if alg is None:
            continue
        if alg.lower() == "none":
            yield Match("jwt-unsigned", "JWT with alg none", where, hit.group(0))
        elif not (auth_like_path or _TOKEN_FIELD.search(field)):
            yield Match("jwt", f"JWT ({alg})", where, hit.group(0))
    card_field = bool(field and _CARD_FIELD.search(field))
    # A number in an id/time/count field, or a bare JSON number outside a card field, is an
    # identifier or a measurement: one in ten random numbers passes Luhn.
    card_context = card_field or not (is_number or (field and _NOT_CARD_FIELD.search(field)))
    for hit in _CARD.finditer(text) if card_context else ():
        digits = re.sub(r"[ -]", "", hit.group(0))
        if (13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits)
                and (_card_brand(digits) or card_field)):
            yield Match("card-number", "Luhn-valid card number", where, hit.group(0))
    ssn = _SSN.search(text)
    if field and _NATIONAL_ID_FIELD.search(field) and re.fullmatch(r"\d{3}-?\d{2}-?\d{4}",
                                                                   text.strip()):
        yield Match("national-id", "national id number (field name)", where, text.strip())
    elif ssn is not None and re.search(r"ssn|social", where, re.IGNORECASE):
        yield Match("national-id", "US social security number", where, ssn.group(0))


def _hash_like(text: str) -> bool:
    return bool(_BARE_HEX.match(text)) or any(p.search(text) for _, p in _HASH_FORMATS) \
        or text.startswith(("$", "pbkdf2:", "scrypt:", "{SSHA}", "{SHA}", "sha1$", "sha256$",
                             "argon2", "bcrypt$"))


def _plaintext_password(where: str, field: str, text: str, is_number: bool) -> Iterator[Match]:
    """A field named for the password itself whose value is neither a hash nor a mask."""
    value = text.strip()
    if is_number or not field or not _PLAIN_PASSWORD_FIELD.match(field):
        return
    if not 1 <= len(value) <= 128 or _MASKED.match(value) or _hash_like(value):
        return
    yield Match("password-plaintext", "plaintext password", where, value)


def _secret_value(name: str, value: str) -> bool:
    return (bool(_ENV_SECRET_NAME.match(name)) and not _NOT_SECRET_NAME.search(name)
            and len(value) >= 4 and not _MASKED.match(value)
            and value.lower() not in ("true", "false", "changeme-not-set"))


def _env_secrets(where: str, field: str, text: str) -> Iterator[Match]:
    """Secrets in environment-style dumps: a JSON field `DB_PASSWORD`, a line `API_KEY=...`,
    and URLs with a password in them (`postgres://user:pw@host/db`)."""
    value = text.strip()
    if field and _secret_value(field, value):
        yield Match("env-secret", f"{field} value", where, value)
    elif not field:  # a text body: KEY=value lines
        for name, line_value in _ENV_LINE.findall(text):
            if _secret_value(name, line_value):
                yield Match("env-secret", f"{name} value", f"{where} line {name}", line_value)
    for hit in _URL_WITH_CREDENTIALS.finditer(text):
        if not _MASKED.match(hit.group(1)):
            yield Match("env-secret", "URL with a password", where, hit.group(0))
