"""The operation model: what apivigil needs to know about an API, whatever its spec version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class SecurityScheme:
    """A named scheme from components.securitySchemes (or Swagger 2 securityDefinitions)."""

    name: str
    type: str  # http, apiKey, oauth2, openIdConnect, mutualTLS (Swagger 2 'basic' -> http)
    scheme: str | None = None  # for type http: basic, bearer, digest...
    location: str | None = None  # for apiKey: header, query, cookie
    parameter_name: str | None = None  # for apiKey

    @property
    def carries_credentials(self) -> bool:
        """Schemes whose secret travels with each request and so needs TLS."""
        return self.type in {"http", "apiKey", "oauth2", "openIdConnect"}

    @property
    def label(self) -> str:
        if self.type == "http" and self.scheme:
            return f"{self.name} (http {self.scheme})"
        if self.type == "apiKey":
            return f"{self.name} (apiKey in {self.location})"
        return f"{self.name} ({self.type})"


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool = False
    schema: JsonObject = field(default_factory=dict)
    example: Any = None


@dataclass(frozen=True)
class Operation:
    """One method on one path template."""

    method: str
    path: str
    operation_id: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    request_body: JsonObject | None = None
    # Alternatives of requirements, each a list of scheme names; [] means explicitly public.
    security: tuple[tuple[str, ...], ...] = ()
    responses: JsonObject = field(default_factory=dict)
    extensions: JsonObject = field(default_factory=dict)

    @property
    def secured(self) -> bool:
        """True when every alternative requires at least one scheme."""
        return bool(self.security) and all(self.security)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class ApiSpec:
    source: str
    version: str  # "2.0", "3.0.x", "3.1.x"
    title: str
    servers: tuple[str, ...]
    security_schemes: dict[str, SecurityScheme]
    operations: tuple[Operation, ...]
    raw: JsonObject = field(default_factory=dict, repr=False)

    def schemes_of(self, operation: Operation) -> list[SecurityScheme]:
        names = {name for alternative in operation.security for name in alternative}
        return [self.security_schemes[n] for n in sorted(names) if n in self.security_schemes]
