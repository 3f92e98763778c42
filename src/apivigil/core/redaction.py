"""Remove secrets from anything that may be shown, stored or logged.

Redaction happens when evidence is recorded (see `http.client`), so no report, log line or
error message can ever hold a credential the user supplied: a scanner that leaks the password
it was given is itself a vulnerability (ZAP logged decoded Basic passwords in clear).
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterable, Mapping

MASK = "[REDACTED]"

# Header names whose values are credentials whatever they contain.
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-access-token",
    }
)

# Words that make any header name a credential header (X-Api-Key, X-Auth-Token, Session-Id...).
_SECRET_HEADER_WORDS = ("auth", "token", "key", "secret", "cookie", "session", "password")


def is_secret_header(name: str) -> bool:
    """Header names whose values are treated as credentials: masked, never sent in clear."""
    lowered = name.lower()
    return lowered in SENSITIVE_HEADERS or any(w in lowered for w in _SECRET_HEADER_WORDS)


_AUTH_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*)\s+\S")
_SHORTEST_SECRET = 3


class Redactor:
    """Knows the secrets of one scan and masks every form of them it can derive.

    For a Basic credential `user:pass` that is the password, the pair, and the base64 of the
    pair (with and without padding), so an echoed header or a decoded value is caught too.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()  # tokens are registered mid-scan, from check threads
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Register a secret and its derived forms."""
        if len(secret) < _SHORTEST_SECRET:
            # Too short to mask safely inside other text; it is still masked in headers.
            return
        forms = {secret}
        encoded = base64.b64encode(secret.encode()).decode()
        forms.update({encoded, encoded.rstrip("=")})
        with self._lock:
            if forms <= self._secrets:
                return
            self._secrets.update(forms)
            self._pattern = re.compile(
                "|".join(re.escape(s) for s in sorted(self._secrets, key=len, reverse=True))
            )

    def add_basic_credential(self, username: str, password: str) -> None:
        """Mask the password and the `user:password` pair in every encoding seen on the wire."""
        self.add(f"{username}:{password}")
        self.add(password)

    def text(self, value: str) -> str:
        """Mask every known secret inside free text."""
        if self._pattern is None or not value:
            return value
        return self._pattern.sub(MASK, value)

    def header_value(self, name: str, value: str) -> str:
        """Mask a header value: credential headers keep only their scheme word."""
        if name.lower() in SENSITIVE_HEADERS:
            scheme = _AUTH_SCHEME.match(value)
            if scheme and name.lower() in {"authorization", "proxy-authorization"}:
                return f"{scheme.group(1)} {MASK}"
            return MASK
        return self.text(value)

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, self.header_value(name, value)) for name, value in headers]

    def mapping(self, values: Mapping[str, str]) -> dict[str, str]:
        return {key: self.text(val) for key, val in values.items()}

    def contains_secret(self, value: str) -> bool:
        """True when the text holds a registered secret (used by safety checks and tests)."""
        return bool(self._pattern and self._pattern.search(value))
