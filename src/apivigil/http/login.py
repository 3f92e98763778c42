"""Logging in the way a client of the API does, and keeping the session alive.

Most APIs do not take HTTP Basic on every request: a `POST /login` (JSON or form, or an OAuth2
password grant on the spec's `tokenUrl`) answers a token, often a JWT that expires within
minutes, or sets a session cookie. `LoginFlow` says how to send that POST; `issued_credential`
reads what came back; `LoginSession` holds one identity's current token and logs in again when
it expires (at most `max_renewals` times), so a long scan does not silently turn anonymous.
The probe client owns the sessions (it renews and substitutes tokens in one place) and registers
every token a login answers with the redactor *before* the answer is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from apivigil.core.config import Credentials
from apivigil.core.errors import ProbeError, ScanError

if TYPE_CHECKING:
    from apivigil.http.client import ProbeClient, ProbeResponse

# JSON fields that hold the issued token, most specific first (--login-token overrides).
TOKEN_FIELDS = ("access_token", "accessToken", "id_token", "idToken", "auth_token", "authToken",
                "token", "jwt", "session_token", "sessionToken", "bearer")
# Objects some APIs wrap the token in: {"data": {"token": ...}}.
_CONTAINERS = ("data", "result", "auth", "authentication", "session", "user", "tokens")
# Key words of JSON fields whose values are secrets in a login answer (all masked).
_SECRET_WORDS = ("token", "jwt", "secret", "session", "key", "cookie", "sid", "auth", "password")
_SHORTEST_SECRET = 3
# Fields of a login answer that name the kind of token, not a secret ("token_type": "bearer").
_NOT_SECRET_FIELDS = ("type", "scope", "expires", "expiry")
# Seconds before `exp` at which a token counts as expired (clock skew, request time).
EXPIRY_MARGIN_S = 1.0
# A token with no known lifetime is renewed after a 401 only if it is at least this old.
_MIN_AGE_BEFORE_RENEWAL_S = 2.0


@dataclass(frozen=True)
class LoginFlow:
    """How to log in: the POST, its body, and where the answer keeps the token."""

    url: str
    body_format: str = "json"  # "json" or "form"
    user_field: str = "username"
    password_field: str = "password"  # noqa: S105 - a field name, not a password
    extra_fields: tuple[tuple[str, str], ...] = ()  # grant_type=password for OAuth2
    template: str | None = None  # --login-body, with {user} and {password}
    token_field: str | None = None  # --login-token
    source: str = "--login"

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @property
    def label(self) -> str:
        return f"POST {self.path}"

    def request(self, username: str, password: str) -> tuple[dict[str, str], bytes]:
        """Headers and body of a login attempt with this user name and password."""
        if self.template is not None:
            if self.body_format == "json":
                user, secret = json.dumps(username)[1:-1], json.dumps(password)[1:-1]
            else:
                user, secret = urlencode({"": username})[1:], urlencode({"": password})[1:]
            body = self.template.replace("{user}", user).replace("{password}", secret)
        else:
            fields = {**dict(self.extra_fields), self.user_field: username,
                      self.password_field: password}
            body = json.dumps(fields) if self.body_format == "json" else urlencode(fields)
        content_type = ("application/json" if self.body_format == "json"
                        else "application/x-www-form-urlencoded")
        return {"Content-Type": content_type, "Accept": "application/json"}, body.encode()


@dataclass(frozen=True)
class Issued:
    """What a successful login answered: the header to send from now on, and its secret."""

    header: tuple[str, str]
    secret: str
    expires_at: float | None  # epoch seconds (a JWT's exp, or expires_in), None if unknown
    kind: str  # "bearer token" or "session cookie"


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None


def _candidates(document: Any, names: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """(field, value) for each wanted field at the top level or one wrapper object down."""
    if not isinstance(document, dict):
        return
    wanted = list(names)
    layers = [document] + [document[c] for c in _CONTAINERS if isinstance(document.get(c), dict)]
    for layer in layers:
        for name in wanted:
            if name in layer:
                yield name, layer[name]


def token_in(body: bytes, token_field: str | None = None) -> tuple[str, Any] | None:
    """The token field of a JSON login answer and the whole JSON document, or None. The field
    is looked for at the top level and one wrapper down ({"data": {"token": ...}}), or
    follows a dotted path (`--login-token data.jwt`)."""
    document = _json(body)
    if token_field and "." in token_field:  # a dotted path: data.jwt
        node: Any = document
        for part in token_field.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return (node, document) if isinstance(node, str) and len(node) >= _SHORTEST_SECRET \
            else None
    names = (token_field,) if token_field else TOKEN_FIELDS
    for _, value in _candidates(document, names):
        if isinstance(value, str) and len(value) >= _SHORTEST_SECRET:
            return value, document
    return None


def token_expiry(token: str) -> float | None:
    """The `exp` of a JWT, read without verifying it (it is only a renewal hint)."""
    import jwt

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) else None


def response_cookies(headers: Any) -> list[tuple[str, str]]:
    """(name, value) of every cookie a response sets (never raises on a malformed one)."""
    cookies: list[tuple[str, str]] = []
    for raw in headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except CookieError:
            name, _, rest = raw.partition("=")
            cookies.append((name.strip(), rest.split(";", 1)[0].strip()))
            continue
        cookies.extend((name, morsel.value) for name, morsel in jar.items())
    return [(n, v) for n, v in cookies if n and v]


def issued_credential(flow: LoginFlow, response: ProbeResponse) -> Issued | None:
    """The bearer token in a login answer, else the session cookie(s) it set, else None."""
    found = token_in(response.body, flow.token_field)
    if found is not None:
        token, document = found
        expires_at = token_expiry(token)
        lifetime = document.get("expires_in") if isinstance(document, dict) else None
        if expires_at is None and isinstance(lifetime, int | float) and lifetime > 0:
            expires_at = time.time() + float(lifetime)
        return Issued(("Authorization", f"Bearer {token}"), token, expires_at, "bearer token")
    cookies = response_cookies(response.headers)
    if cookies and response.status < 400:
        value = "; ".join(f"{n}={v}" for n, v in cookies)
        return Issued(("Cookie", value), cookies[0][1], None, "session cookie")
    return None


def issued_secrets(headers: Any, body: bytes) -> list[str]:
    """Every secret a login answer may carry: token-like JSON values and cookie values."""
    found = [value for _, value in response_cookies(headers)]

    def walk(node: Any, depth: int) -> None:
        if depth > 3:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                lowered = str(key).lower()
                if isinstance(value, str) and any(w in lowered for w in _SECRET_WORDS) \
                        and not any(w in lowered for w in _NOT_SECRET_FIELDS):
                    found.append(value)
                else:
                    walk(value, depth + 1)
        elif isinstance(node, list):
            for item in node[:20]:
                walk(item, depth + 1)

    walk(_json(body), 0)
    return [s for s in found if len(s) >= _SHORTEST_SECRET]


def log_in(client: ProbeClient, flow: LoginFlow, name: str,
           credentials: Credentials) -> tuple[Issued, ProbeResponse]:
    """One login; `ScanError` (exit 3) naming the identity and the step when it fails."""
    headers, body = flow.request(credentials.username, credentials.password)
    step = f"identity {name!r}: login {flow.label} ({flow.source})"
    try:
        response = client.request("POST", flow.url, headers=headers, content=body,
                                  use_extra_headers=False, renew_credentials=False)
    except ProbeError as exc:
        raise ScanError(f"{step} could not be sent: {exc}") from None
    if response.status == 429:
        raise ScanError(f"{step} was throttled (HTTP 429); wait and scan again, or lower --rate")
    if response.status >= 400:
        raise ScanError(f"{step} failed: HTTP {response.status} (check USER:PASSWORD, or "
                        "--login-body for the fields the API expects)")
    issued = issued_credential(flow, response)
    if issued is None:
        looked_for = flow.token_field or ", ".join(TOKEN_FIELDS[:6]) + "..."
        raise ScanError(f"{step} answered HTTP {response.status} but no token (looked for "
                        f"{looked_for}; name it with --login-token FIELD) and no cookie")
    return issued, response


@dataclass
class LoginSession:
    """One logged-in identity: its current token, older ones, and how often it was renewed."""

    name: str
    flow: LoginFlow
    credentials: Credentials = field(repr=False)
    issued: Issued = field(repr=False)
    # The answer of the first login, kept for checks that judge it (its Set-Cookie flags).
    answer: ProbeResponse | None = field(default=None, repr=False)
    max_renewals: int = 5
    renewals: int = 0
    issued_at: float = field(default_factory=time.monotonic)
    previous: list[Issued] = field(default_factory=list, repr=False)
    events: list[str] = field(default_factory=list)
    failed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def header(self) -> tuple[str, str]:
        return self.issued.header

    def carried_by(self, headers: Mapping[str, str]) -> bool:
        """True when a request carries this identity's token (current or an older one)."""
        values = [self.issued.secret] + [p.secret for p in self.previous]
        return any(secret in value for value in headers.values() for secret in values)

    def current_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The request's headers with any older token of this identity replaced by the current
        one (checks keep the headers they built at the start; renewal stays invisible)."""
        out = dict(headers)
        current = self.issued
        for name, value in out.items():
            for old in self.previous:
                if value == old.header[1]:
                    value = current.header[1]
                elif old.secret in value:
                    value = value.replace(old.secret, current.secret)
            out[name] = value
        return out

    def expired(self) -> bool:
        expires_at = self.issued.expires_at
        return expires_at is not None and time.time() >= expires_at - EXPIRY_MARGIN_S

    def may_renew_after_refusal(self) -> bool:
        """A 401 to a token with no known lifetime: renew only if it is not brand new."""
        return self.issued.expires_at is None and \
            time.monotonic() - self.issued_at >= _MIN_AGE_BEFORE_RENEWAL_S

    def renew(self, client: ProbeClient, seen: str, why: str) -> None:
        """Log in again (once per stale token, whichever thread notices first; bounded)."""
        with self._lock:
            if self.issued.secret != seen or self.failed:
                return  # another request renewed it already, or renewal gave up
            if self.renewals >= self.max_renewals:
                self.failed = True
                self.events.append(f"identity {self.name!r}: the {self.issued.kind} {why} again "
                                   f"after {self.renewals} renewals; not renewed any more "
                                   "(results after this point may be incomplete)")
                return
            try:
                issued, _ = log_in(client, self.flow, self.name, self.credentials)
            except ScanError as exc:
                self.failed = True
                self.events.append(f"{exc}; renewing the {self.issued.kind} failed (results "
                                   "after this point may be incomplete)")
                return
            self.previous.append(self.issued)
            self.issued = issued
            self.issued_at = time.monotonic()
            self.renewals += 1

    def summary(self) -> str | None:
        """The line the report's notices carry about renewal, if any happened."""
        if not self.renewals:
            return None
        times = "once" if self.renewals == 1 else f"{self.renewals} times"
        return (f"identity {self.name!r}: the {self.issued.kind} expired during the scan and "
                f"was renewed {times} by logging in again ({self.flow.label})")
