"""What the user asked for: the options of one scan, as plain data that every layer may read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Identity:
    """One account the scan may act as, for authorization checks that compare accounts.

    Syntax (`--identity`): `NAME[:role=ROLE]=USER:PASSWORD` for HTTP Basic, or
    `NAME[:role=ROLE]=Header-Name: value` (a colon *and a space* after a header name) for a
    token or key. NAME and ROLE use letters, digits, `_`, `.` and `-`. Example:
    `--identity admin:role=admin=root:s3cret --identity alice:role=user='Authorization: Bearer x'`.
    `repr` never shows the secret.
    """

    name: str
    credentials: Credentials | None = None
    header: tuple[str, str] | None = field(default=None, repr=False)
    role: str | None = None

    @classmethod
    def parse(cls, value: str) -> Identity:
        match = _IDENTITY.match(value.strip())
        if not match:
            raise UsageError(
                "identity must be given as NAME[:role=ROLE]=USER:PASSWORD or "
                "NAME[:role=ROLE]='Header: value'"
            )
        name, role, credential = match.group("name"), match.group("role"), match.group("cred")
        if _HEADER_FORM.match(credential):
            return cls(name=name, header=parse_header(credential), role=role)
        try:
            return cls(name=name, credentials=Credentials.parse(credential), role=role)
        except UsageError:
            raise UsageError(f"identity {name!r}: credentials must be USER:PASSWORD or "
                             "'Header: value'") from None

    @property
    def username(self) -> str | None:
        """The Basic user name (lets checks tell whose object a response describes)."""
        return self.credentials.username if self.credentials else None

    def auth_headers(self) -> dict[str, str]:
        """The headers that authenticate as this identity."""
        if self.credentials is not None:
            return {"Authorization": self.credentials.basic_header()}
        if self.header is not None:
            return {self.header[0]: self.header[1]}
        return {}


@dataclass(frozen=True)
class ScanOptions:
    """Everything `apivigil scan` takes, with the same defaults as the CLI."""

    url: str
    spec: str | None = None
    credentials: Credentials | None = None  # -u: the single-identity shorthand (the primary)
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
    # Check-specific settings (e.g. "login_burst": 30); documented by each check.
    settings: dict[str, Any] = field(default_factory=dict)

    def setting(self, name: str, default: Any) -> Any:
        return self.settings.get(name, default)

    def all_identities(self) -> tuple[Identity, ...]:
        """-u (as identity 'user', or '-u' if that name is taken) then every --identity; the
        first is the primary. Names are unique: checks key their caches by them."""
        if self.credentials is None:
            return self.identities
        name = "-u" if any(i.name == "user" for i in self.identities) else "user"
        return (Identity(name=name, credentials=self.credentials), *self.identities)
