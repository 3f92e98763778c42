"""The inputs through which an API may be made to fetch a URL, and how to send one a value.

An input takes a URL when the spec says so (`format: uri`/`url`), when its name says so (url,
uri, callback, webhook, image_url, redirect, next, feed, avatar...), or when its example or
current value is a URL. Query inputs of GET operations are probed with GET; JSON body fields of
POST/PUT/PATCH operations only with `--allow-unsafe-methods` (the probe client refuses the
method otherwise). A probe changes exactly that one input and keeps the rest of the ordinary
request, so an answer (or a callback) belongs to that input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from apivigil.checks.base import ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.http.callback import CallbackProbe
from apivigil.http.client import ProbeResponse
from apivigil.spec.model import JsonObject
from apivigil.spec.values import as_text, parameter_value, schema_value

URL_NAME = re.compile(
    r"(^|_|-)(url|uri|link|href|callback|webhook|hook|redirect|redirect_uri|return_to|next|"
    r"dest|destination|feed|rss|avatar|image|icon|logo|picture|photo|proxy|fetch|download|"
    r"remote)($|_|-)|(url|uri)$",
    re.IGNORECASE,
)
URL_FORMATS = frozenset({"uri", "url", "uri-reference", "iri", "iri-reference"})
BODY_METHODS = ("POST", "PUT", "PATCH")


@dataclass(frozen=True)
class UrlInput:
    endpoint: Endpoint
    name: str
    location: str  # query or body
    original: str | None = None  # the value the ordinary request carries

    @property
    def label(self) -> str:
        return f"{self.location} {self.name}"

    @property
    def operation(self) -> str:
        return f"{self.endpoint.method} {self.endpoint.path}"


def takes_url(name: str, schema: JsonObject | None = None, value: Any = None) -> bool:
    """Whether an input looks like it takes a URL: by format, by name or by its value."""
    schema = schema or {}
    if schema.get("type") in ("integer", "number", "boolean", "array", "object"):
        return False
    if schema.get("format") in URL_FORMATS:
        return True
    if isinstance(value, str) and re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        return True
    return bool(URL_NAME.search(name))


def url_inputs(ctx: ScanContext, limit: int = 4) -> list[UrlInput]:
    """URL-taking inputs of the target's operations, spec-declared ones first."""
    found: list[UrlInput] = []
    seen: set[tuple[str, str, str]] = set()

    def add(item: UrlInput) -> None:
        key = (item.operation, item.location, item.name)
        if key not in seen:
            seen.add(key)
            found.append(item)

    for endpoint in ctx.target.concrete_endpoints():
        operation = endpoint.operation
        if endpoint.method == "GET":
            if operation is not None:
                for param in operation.parameters_in("query"):
                    value = parameter_value(param)
                    if takes_url(param.name, param.schema, value):
                        add(UrlInput(endpoint, param.name, "query",
                                     as_text(value) if value is not None else None))
            for name, value in parse_qsl(urlsplit(endpoint.url).query, keep_blank_values=True):
                if takes_url(name, None, value):
                    add(UrlInput(endpoint, name, "query", value))
        elif endpoint.method in BODY_METHODS and ctx.options.allow_unsafe_methods \
                and endpoint.content_type and "json" in endpoint.content_type \
                and operation is not None:
            for name, schema in _body_properties(operation.request_body).items():
                value = schema_value(schema)
                if takes_url(name, schema, value):
                    add(UrlInput(endpoint, name, "body",
                                 value if isinstance(value, str) else None))
    found.sort(key=lambda i: (i.location != "query", i.endpoint.path, i.name))
    return found[:limit]


def _body_properties(body: JsonObject | None) -> dict[str, JsonObject]:
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
        return {}
    for media_type, media in body["content"].items():
        if "json" in media_type.lower() and isinstance(media, dict):
            schema = media.get("schema")
            if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
                return {k: v for k, v in schema["properties"].items() if isinstance(v, dict)}
    return {}


def send(ctx: ScanContext, item: UrlInput, value: str) -> ProbeResponse:
    """The endpoint's ordinary request with `item` set to `value`, anonymous unless the
    endpoint refuses anonymous requests and credentials were supplied."""
    endpoint = item.endpoint
    headers = dict(endpoint.headers)
    authenticated = needs_auth(ctx, endpoint)
    if authenticated:
        headers.update(ctx.auth_headers())
    if item.location == "query":
        parts = urlsplit(endpoint.url)
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k != item.name]
        pairs.append((item.name, value))
        url = urlunsplit(parts._replace(query=urlencode(pairs)))
        return ctx.http.get(url, headers=headers, use_extra_headers=authenticated)
    try:
        body = json.loads(endpoint.body or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    body[item.name] = value
    headers["Content-Type"] = endpoint.content_type or "application/json"
    return ctx.http.request(endpoint.method, endpoint.url, headers=headers,
                            content=json.dumps(body).encode(),
                            use_extra_headers=authenticated)


def needs_auth(ctx: ScanContext, endpoint: Endpoint) -> bool:
    """Send the user's credentials when there are some and the operation is secured."""
    return bool(ctx.auth_headers()) and endpoint.declared_secured


def try_send(ctx: ScanContext, item: UrlInput, value: str) -> ProbeResponse | None:
    """Send one probe; a failed request (timeout, refused) is no evidence either way."""
    try:
        return send(ctx, item, value)
    except BudgetExhaustedError:
        raise
    except ProbeError:
        return None


def callback_probe(ctx: ScanContext,
                   item: UrlInput) -> tuple[CallbackProbe, ProbeResponse | None] | None:
    """The callback URL sent once per input and scan (the SSRF and unsafe-consumption checks
    share it): the token, and the API's answer. None without a reachable callback server."""
    callbacks = ctx.callbacks
    if callbacks is None or not callbacks.reachable_from(ctx.target.host):
        return None

    def probe() -> tuple[CallbackProbe, ProbeResponse | None]:
        assert callbacks is not None
        issued = callbacks.issue(item.operation, item.label)
        return issued, try_send(ctx, item, issued.url)

    return ctx.cache.get_or_compute(f"ssrf-callback:{item.operation}:{item.label}", probe)
