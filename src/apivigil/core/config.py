"""What the user asked for: the options of one scan, as plain data that every layer may read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from apivigil.core.errors import UsageError


@dataclass(frozen=True)
class Credentials:
    """A username and password for HTTP Basic Auth. `repr` never shows the password."""

    username: str
    password: str = field(repr=False)

    @classmethod
    def parse(cls, value: str) -> Credentials:
        """Parse curl's USER:PASSWORD form."""
        username, sep, password = value.partition(":")
        if not sep or not username:
            raise UsageError("credentials must be given as USER:PASSWORD")
        return cls(username=username, password=password)

    def basic_header(self) -> str:
        return basic_header(self.username, self.password)


def basic_header(username: str, password: str) -> str:
    """The Authorization header value for a Basic credential."""
    import base64

    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return f"Basic {token}"


def parse_header(value: str) -> tuple[str, str]:
    """Parse curl's 'Name: value' header form."""
    name, sep, content = value.partition(":")
    if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
        raise UsageError(f"header must be given as 'Name: value', got {value.split(':')[0]!r}")
    return name.strip(), content.strip()


_IDENTITY = re.compile(
    r"^(?P<name>[A-Za-z0-9_.-]+)(?::role=(?P<role>[A-Za-z0-9_.-]+))?=(?P<cred>.+)$", re.DOTALL)
_HEADER_FORM = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+:\s")
_COOKIE_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

# A pseudo-header the probe client turns into a query parameter: an API key the spec declares
# `in: query` travels in the URL, and the client is the one place that builds URLs from it.
QUERY_CREDENTIAL_HEADER = "X-Apivigil-Query-Credential"

CREDENTIAL_FORMS = (
    "USER:PASSWORD (HTTP Basic, or what --login / the spec's OAuth2 flow logs in with), "
    "bearer:TOKEN, apikey:KEY (header, query or cookie as the spec's apiKey scheme says), "
    "cookie:NAME=VALUE, basic:USER:PASSWORD, or 'Header-Name: value'"
)


@dataclass(frozen=True)
class Identity:
    """One account the scan may act as: `-u` is the first, then every `--identity`.

    Syntax (`--identity`): `NAME[:role=ROLE]=CREDENTIAL`, where CREDENTIAL is one of
    `USER:PASSWORD` (HTTP Basic, or logged in with `--login`), `bearer:TOKEN`, `apikey:KEY`,
    `cookie:NAME=VALUE`, `basic:USER:PASSWORD` (a user literally named bearer, apikey...) or
    `Header-Name: value` (a colon *and a space* after a header name). NAME and ROLE use
    letters, digits, `_`, `.` and `-`. `repr` never shows the secret.
    """

    name: str
    credentials: Credentials | None = None  # USER:PASSWORD: Basic, or what a login sends
    header: tuple[str, str] | None = field(default=None, repr=False)
    role: str | None = None
    api_key: str | None = field(default=None, repr=False)  # apikey:KEY, placed per the spec
    query: tuple[str, str] | None = field(default=None, repr=False)  # an API key in the URL
    issued_by: str | None = None  # "POST /login" when `header` came from a login flow

    @classmethod
    def parse(cls, value: str) -> Identity:
        match = _IDENTITY.match(value.strip())
        if not match:
            raise UsageError("identity must be given as NAME[:role=ROLE]=USER:PASSWORD, or "
                             "NAME[:role=ROLE]=bearer:TOKEN, =apikey:KEY, =cookie:NAME=VALUE "
                             "or ='Header: value'")
        name, role, credential = match.group("name"), match.group("role"), match.group("cred")
        try:
            return cls.from_credential(name, credential, role=role)
        except UsageError as exc:
            raise UsageError(f"identity {name!r}: {exc}") from None

    @classmethod
    def from_credential(cls, name: str, value: str, *, role: str | None = None) -> Identity:
        """One credential in any of the supported forms (`-u` takes the same forms)."""
        if _HEADER_FORM.match(value):
            return cls(name=name, header=parse_header(value), role=role)
        kind, sep, rest = value.partition(":")
        kind = kind.lower()
        if sep and kind == "bearer" and rest:
            return cls(name=name, header=("Authorization", f"Bearer {rest}"), role=role)
        if sep and kind == "apikey" and rest:
            return cls(name=name, api_key=rest, role=role)
        if sep and kind == "cookie" and rest:
            cookie, eq, content = rest.partition("=")
            if not eq or not content or not _COOKIE_NAME.match(cookie):
                raise UsageError("a cookie credential must be given as cookie:NAME=VALUE")
            return cls(name=name, header=("Cookie", f"{cookie}={content}"), role=role)
        if sep and kind == "basic" and rest:
            value = rest
        try:
            return cls(name=name, credentials=Credentials.parse(value), role=role)
        except UsageError:
            raise UsageError(f"credentials must be {CREDENTIAL_FORMS}") from None

    @property
    def username(self) -> str | None:
        """The user name, when known (lets checks tell whose object a response describes)."""
        return self.credentials.username if self.credentials else None

    @property
    def uses_basic(self) -> bool:
        """True when requests authenticate with HTTP Basic (no token, key or cookie)."""
        return self.credentials is not None and self.header is None and self.query is None \
            and self.api_key is None

    @property
    def kind(self) -> str:
        """The credential kind in words, for notices and findings."""
        if self.query is not None:
            return "API key (query)"
        if self.api_key is not None:
            return "API key"
        if self.header is not None:
            header, value = self.header[0].lower(), self.header[1]
            if header == "authorization" and value.lower().startswith("bearer "):
                return "bearer token"
            if header == "cookie":
                return "session cookie"
            if header == "authorization":
                return f"{value.split(' ', 1)[0]} authorization"
            return f"{self.header[0]} header"
        return "HTTP Basic" if self.credentials is not None else "none"

    @property
    def secret(self) -> str | None:
        """The value that proves this identity (token, key, cookie), without its scheme word."""
        if self.query is not None:
            return self.query[1]
        if self.header is not None:
            value = self.header[1]
            scheme, _, token = value.partition(" ")
            if self.header[0].lower() == "authorization" and token and scheme.isalpha():
                return token
            if self.header[0].lower() == "cookie":
                return value.partition("=")[2] or value
            return value
        return self.api_key

    def auth_headers(self) -> dict[str, str]:
        """The headers that authenticate as this identity (a query key as a pseudo-header)."""
        if self.header is not None:
            return {self.header[0]: self.header[1]}
        if self.query is not None:
            return {QUERY_CREDENTIAL_HEADER: f"{self.query[0]}={self.query[1]}"}
        if self.api_key is not None:
            return {"X-API-Key": self.api_key}
        if self.credentials is not None:
            return {"Authorization": self.credentials.basic_header()}
        return {}


@dataclass(frozen=True)
class LoginOptions:
    """How identities with USER:PASSWORD log in (`--login`, `--login-token`, `--login-body`)."""

    path: str | None = None  # a POST on the target that answers a token or sets a cookie
    token_field: str | None = None  # the JSON field holding the token (default: well-known)
    body_template: str | None = None  # with {user} and {password}; JSON if it starts with {

    def __post_init__(self) -> None:
        if self.path is not None and not self.path.startswith("/"):
            raise UsageError(f"--login must be a path on the target starting with /, "
                             f"got {self.path!r}")
        if self.body_template is not None and (
                "{user}" not in self.body_template or "{password}" not in self.body_template):
            raise UsageError("--login-body needs both {user} and {password} placeholders")


@dataclass(frozen=True)
class ScanOptions:
    """Everything `apivigil scan` takes, with the same defaults as the CLI."""

    url: str
    spec: str | None = None
    credentials: Credentials | None = None  # -u: the single-identity shorthand (the primary)
    # -u given as bearer:, apikey:, cookie: or a header (not USER:PASSWORD): the primary too.
    user_credential: Identity | None = None
    identities: tuple[Identity, ...] = ()  # --identity, in order; the first is the primary
    headers: tuple[tuple[str, str], ...] = ()
    cacert: str | None = None
    insecure: bool = False
    http_port: int = 80
    https_port: int = 443
    max_requests: int = 1000
    rate: float = 50.0
    concurrency: int = 4
    timeout: float = 10.0
    max_duration: float = 300.0
    checks: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # 'METHOD PATH-GLOB': operations kept out of the scan
    allow_cleartext_credentials: bool = False
    allow_unsafe_methods: bool = False
    allow_delete: bool = False
    default_credentials: bool = True
    # The out-of-band callback listener (SSRF, unsafe consumption, indirect prompt injection):
    # where it listens (HOST:PORT, default loopback on a free port) and the URL a remote target
    # reaches it at.
    callback_listen: str | None = None
    callback_url: str | None = None
    llm_probes: str = "quick"  # off, quick, standard, deep: adversarial prompts per LLM endpoint
    login: LoginOptions = field(default_factory=LoginOptions)
    # Check-specific settings (e.g. "login_burst": 30); documented by each check.
    settings: dict[str, Any] = field(default_factory=dict)

    def setting(self, name: str, default: Any) -> Any:
        return self.settings.get(name, default)

    def all_identities(self) -> tuple[Identity, ...]:
        """-u (as identity 'user', or '-u' if that name is taken) then every --identity; the
        first is the primary. Names are unique: checks key their caches by them."""
        name = "-u" if any(i.name == "user" for i in self.identities) else "user"
        if self.user_credential is not None:
            return (replace(self.user_credential, name=name), *self.identities)
        if self.credentials is None:
            return self.identities
        return (Identity(name=name, credentials=self.credentials), *self.identities)
