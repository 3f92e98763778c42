"""The target of a scan: its URL, its cleartext and TLS twins, and the endpoints to probe."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit, urlunsplit

from apivigil.core.errors import UsageError
from apivigil.spec.model import ApiSpec, Operation
from apivigil.spec.values import fill_path, header_values, query_string, request_body


@dataclass(frozen=True)
class Endpoint:
    """A concrete URL to probe, with the spec operation it came from, if any.

    For a spec operation, `url` has its path parameters filled and its required query
    parameters set (from the spec's examples, defaults and enums, or generated values), so it
    can be requested as it is; `headers` and `body` complete the request for the operation.
    """

    method: str
    url: str
    path: str  # path template, e.g. /users/{id}
    operation: Operation | None = None
    headers: tuple[tuple[str, str], ...] = ()  # required header parameters, never credentials
    body: bytes | None = None
    content_type: str | None = None  # of `body`

    @property
    def declared_secured(self) -> bool:
        return self.operation is not None and self.operation.secured

    @property
    def acts(self) -> bool:
        """A GET whose name says it does something (reset, create, seed, delete...).

        Real APIs have GETs that re-create the database or reset a counter; calling one
        while other checks run makes every other result flaky. Such GETs are held back from
        ordinary probing and called once, last, by the check that judges them.
        """
        return self.method == "GET" and looks_like_action(self.path, self.operation)


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    base_path: str
    http_port: int
    https_port: int
    endpoints: tuple[Endpoint, ...]
    excluded: tuple[Endpoint, ...] = ()  # kept out by --exclude: listed, never sent

    @classmethod
    def parse(cls, url: str, http_port: int = 80, https_port: int = 443) -> Target:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"not an http:// or https:// URL: {url!r}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise UsageError(f"invalid port in URL {url!r}") from None
        for name, value in (("--http-port", http_port), ("--https-port", https_port)):
            if not 0 < value < 65536:
                raise UsageError(f"{name} must be between 1 and 65535")
        if parts.scheme == "http":
            http_port = port
        else:
            https_port = port
        path = parts.path or "/"
        endpoint = Endpoint("GET", urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")),
                            path)
        return cls(url=url.strip(), scheme=parts.scheme, host=parts.hostname, port=port,
                   base_path=path.rstrip("/"), http_port=http_port, https_port=https_port,
                   endpoints=(endpoint,))

    def with_spec(self, spec: ApiSpec) -> Target:
        """Endpoints become the spec's operations, appended to the base URL with values filled.

        The base path is the one in the target URL, or else the path of the spec's first
        server (e.g. Swagger 2 `basePath: /v2`).
        """
        base = self.base_path or (spec.base_path if spec.base_path.startswith("/") else "")
        endpoints = tuple(_endpoint(self.origin(self.scheme) + base, op)
                          for op in spec.operations)
        return Target(self.url, self.scheme, self.host, self.port, self.base_path,
                      self.http_port, self.https_port, endpoints or self.endpoints)

    def origin(self, scheme: str) -> str:
        """scheme://host[:port] for the twin on that scheme."""
        port = self.https_port if scheme == "https" else self.http_port
        default = 443 if scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}" + ("" if port == default else f":{port}")

    def twin(self, url: str, scheme: str) -> str:
        """The same path and query on the other side (http:// or https://) of this host."""
        parts = urlsplit(url)
        return self.origin(scheme) + urlunsplit(("", "", parts.path or "/", parts.query, ""))

    @property
    def is_https(self) -> bool:
        return self.scheme == "https"

    def concrete_endpoints(self) -> list[Endpoint]:
        """Endpoints whose URL has no unfilled {parameters}: requestable as they are.

        GETs that look like actions (`Endpoint.acts`) are left out: they are called once, by
        `data_exposure.state-changing-get`, after every other check.
        """
        return [e for e in self.endpoints if "{" not in urlsplit(e.url).path and not e.acts]

    def action_endpoints(self) -> list[Endpoint]:
        """The GETs held back from ordinary probing because their name says they act."""
        return [e for e in self.endpoints if "{" not in urlsplit(e.url).path and e.acts]

    def without(self, patterns: tuple[str, ...]) -> Target:
        """This target less the operations matching `--exclude 'METHOD PATH-GLOB'` patterns."""
        if not patterns:
            return self
        kept = tuple(e for e in self.endpoints if not excluded(e, patterns))
        if not kept:
            raise UsageError("--exclude leaves no operation to scan")
        dropped = tuple(e for e in self.endpoints if excluded(e, patterns))
        return dataclasses.replace(self, endpoints=kept, excluded=self.excluded + dropped)


# Path words that say a GET does something rather than reads something.
_ACTION_WORD = re.compile(
    r"^(?:re)?(?:set|init|initiali[sz]e|create|createdb|initdb|setup|seed|populate|delete|"
    r"remove|clear|drop|destroy|purge|restore|rebuild|flush|truncate|wipe|reset|resetdb|"
    r"logout|log-?out|sign-?out|trigger|run|execute|exec|sync|import|generate|install|"
    r"migrate|recreate|restart|shutdown|kill|start|stop|enable|disable|approve|activate|"
    r"deactivate|send|publish|unsubscribe)(?:[-_]?(?:db|database|data|all|everything))?$",
    re.IGNORECASE)


def looks_like_action(path: str, operation: Operation | None = None) -> bool:
    """Whether a literal path segment (or the operationId) is a verb that changes state."""
    words = [s for s in path.strip("/").split("/") if s and "{" not in s]
    if operation is not None and operation.operation_id:
        words.append(operation.operation_id)
    return any(_ACTION_WORD.match(word) for word in words)


def excluded(endpoint: Endpoint, patterns: tuple[str, ...]) -> bool:
    """Whether `--exclude 'METHOD PATH-GLOB'` matches: METHOD may be `*`; the glob (`*` spans
    slashes) is matched against the path template and the concrete path."""
    concrete = urlsplit(endpoint.url).path
    for pattern in patterns:
        method, glob = parse_exclude(pattern)
        if method not in ("*", endpoint.method):
            continue
        if fnmatchcase(endpoint.path, glob) or fnmatchcase(concrete, glob):
            return True
    return False


def parse_exclude(pattern: str) -> tuple[str, str]:
    """'GET /admin/*' -> ('GET', '/admin/*'); a lone glob applies to every method."""
    parts = pattern.split()
    if len(parts) == 1 and parts[0].startswith("/"):
        return "*", parts[0]
    if len(parts) != 2 or not parts[1].startswith("/") or not (
            parts[0] == "*" or parts[0].isalpha()):
        raise UsageError(f"--exclude must be 'METHOD PATH-GLOB' (e.g. 'GET /admin/*'), "
                         f"got {pattern!r}")
    return parts[0].upper(), parts[1]


def _endpoint(prefix: str, operation: Operation) -> Endpoint:
    url = prefix + fill_path(operation)
    query = query_string(operation)
    body = request_body(operation)
    return Endpoint(operation.method, url + ("?" + query if query else ""), operation.path,
                    operation, headers=tuple(header_values(operation).items()),
                    body=body[1] if body else None, content_type=body[0] if body else None)
