"""The operation model: what apivigil needs to know about an API, whatever its spec version.

Every `$ref` is already resolved when the model is built (see `spec.resolver`): schemas,
parameters, bodies and responses are plain dicts. A reference that points back into itself
(a recursive schema) is left as `{"$ref": ..., "x-apivigil-circular": true}`; consumers treat
such a node as "any value", never as a reason to report something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

JsonObject = dict[str, Any]
_PUBLIC_WORD = re.compile(
    r"(?:log-?in|sign-?in|log-?on|authenticate|token|oauth2?|refresh|register|sign-?up|"
    r"password-?reset|reset-?password|forgot-?password|recover|health|healthz?|livez|readyz|"
    r"ping|status|ready|alive|version|docs|openapi|swagger|redoc|api-docs|catalog(?:ue)?|"
    r"public|well-known)(?:-?(?:json|yaml))?")
CIRCULAR = "x-apivigil-circular"


@dataclass(frozen=True)
class SecurityScheme:
    """A named scheme from components.securitySchemes (or Swagger 2 securityDefinitions)."""

    name: str
    type: str  # http, apiKey, oauth2, openIdConnect, mutualTLS (Swagger 2 'basic' -> http)
    scheme: str | None = None  # for type http: basic, bearer, digest...
    location: str | None = None  # for apiKey: header, query, cookie
    parameter_name: str | None = None  # for apiKey
    token_url: str | None = None  # for oauth2: the password flow's tokenUrl, if declared

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
    # Values of the parameter's `examples` map (or list), in document order.
    examples: tuple[Any, ...] = ()
    description: str | None = None
    deprecated: bool = False


@dataclass(frozen=True)
class Operation:
    """One method on one path template."""

    method: str
    path: str
    operation_id: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    # OpenAPI 3 shape ({"content": {media type: {"schema", "example"...}}, "required": ...});
    # Swagger 2 body and formData parameters are converted to it.
    request_body: JsonObject | None = None
    # Alternatives of requirements, each a list of scheme names; [] means explicitly public.
    security: tuple[tuple[str, ...], ...] = ()
    # Status code (or "default", "2XX") -> response object in OpenAPI 3 shape (with "content").
    responses: JsonObject = field(default_factory=dict)
    extensions: JsonObject = field(default_factory=dict)
    # True when the operation has its own `security` (possibly `[]`), not the global one.
    security_explicit: bool = False
    servers: tuple[str, ...] = ()  # operation- or path-level servers, if any
    deprecated: bool = False

    @property
    def secured(self) -> bool:
        """True when every alternative requires at least one scheme."""
        return bool(self.security) and all(self.security)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def explicitly_public(self) -> bool:
        """`security: []` (or an empty alternative): the spec says anyone may call it."""
        return self.security_explicit and (not self.security or not all(self.security))

    @property
    def public_by_nature(self) -> bool:
        """Operations every API must open to anyone: login, token, register, password-reset
        requests, health and status probes, docs, and catalogues. A missing security
        requirement on them is a choice, never a forgotten lock."""
        words = [w for w in re.split(r"[/{}._]+", self.path.lower()) if w]
        if self.operation_id:
            hyphenated = re.sub(r"(?<!^)(?=[A-Z])", "-", self.operation_id).lower()
            words += [hyphenated, *hyphenated.split("-")]
        return any(_PUBLIC_WORD.fullmatch(w) for w in words)

    def response_for(self, status: int) -> JsonObject | None:
        """The declared response for a status: exact code, then 4XX-style range, then default."""
        for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
            value = self.responses.get(key)
            if isinstance(value, dict):
                return value
        return None

    def parameters_in(self, location: str) -> list[Parameter]:
        return [p for p in self.parameters if p.location == location]


@dataclass(frozen=True)
class ApiSpec:
    source: str
    version: str  # "2.0", "3.0.x", "3.1.x"
    title: str
    servers: tuple[str, ...]
    security_schemes: dict[str, SecurityScheme]
    operations: tuple[Operation, ...]
    raw: JsonObject = field(default_factory=dict, repr=False)
    global_security: tuple[tuple[str, ...], ...] = ()
    circular_refs: tuple[str, ...] = ()  # references that point back into themselves
    discovered: bool = False  # found by probing well-known paths, not given with --spec

    def schemes_of(self, operation: Operation) -> list[SecurityScheme]:
        names = {name for alternative in operation.security for name in alternative}
        return [self.security_schemes[n] for n in sorted(names) if n in self.security_schemes]

    @property
    def base_path(self) -> str:
        """The path of the first server ("/v2", or "" when servers carry no path)."""
        for server in self.servers:
            return urlsplit(server).path.rstrip("/")
        return ""

    @property
    def used_scheme_names(self) -> set[str]:
        return {n for op in self.operations for alt in op.security for n in alt} | {
            n for alt in self.global_security for n in alt}
