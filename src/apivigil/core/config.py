"""What the user asked for: the options of one scan, as plain data that every layer may read."""

from __future__ import annotations

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


@dataclass(frozen=True)
class ScanOptions:
    """Everything `apivigil scan` takes, with the same defaults as the CLI."""

    url: str
    spec: str | None = None
    credentials: Credentials | None = None
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
    # Check-specific settings (e.g. "login_burst": 30); documented by each check.
    settings: dict[str, Any] = field(default_factory=dict)

    def setting(self, name: str, default: Any) -> Any:
        return self.settings.get(name, default)
