"""The inputs an endpoint takes, and how to send one of them with a chosen value.

Inputs are the parameters the spec declares (path, query, header), the query parameters the
endpoint's URL visibly carries, and the Basic credential when the endpoint challenges for one
(the user name and password are input the server parses and hashes). A probe changes exactly one
input and keeps everything else as in the endpoint's ordinary request, so a difference in the
answer belongs to that input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from apivigil.checks.base import ScanContext
from apivigil.checks.common import DUMMY_USER, challenges
from apivigil.checks.planner import probe_plan
from apivigil.checks.target import Endpoint
from apivigil.core.config import basic_header
from apivigil.core.errors import ProbeError
from apivigil.http.client import ProbeResponse
from apivigil.spec.model import JsonObject
from apivigil.spec.values import as_text, parameter_value

_SKIPPED_HEADERS = {"authorization", "cookie", "accept", "content-type", "host"}


@dataclass(frozen=True)
class Input:
    endpoint: Endpoint
    name: str
    location: str  # path, query, header, credential
    schema: JsonObject = field(default_factory=dict)
    declared: bool = False

    @property
    def label(self) -> str:
        return f"{self.location} {self.name}"


@dataclass(frozen=True)
class ProbeTarget:
    """One endpoint as the input checks probe it: its inputs and its ordinary response."""

    endpoint: Endpoint
    baseline: ProbeResponse
    authenticated: bool
    inputs: tuple[Input, ...]


def targets(ctx: ScanContext, limit: int = 50) -> list[ProbeTarget]:
    """Endpoints with at least one input, riskiest first (`checks.planner`), with the baseline
    a probe is compared against; the checks' request budgets decide how far down they go.

    Endpoints that refuse anonymous requests are probed with the user's credentials when
    there are some, so the parameters are actually processed.
    """
    return ctx.cache.get_or_compute(f"input-targets:{limit}", lambda: _targets(ctx, limit))


def _targets(ctx: ScanContext, limit: int) -> list[ProbeTarget]:
    found = []
    plan = probe_plan(ctx)
    with_inputs = [e for e in plan if _declared(e) or _visible(e)]
    # Endpoints with inputs first; a Basic challenge makes the credential an input too.
    for endpoint in (with_inputs + [e for e in plan if e not in with_inputs])[:limit]:
        try:
            anonymous = ctx.baseline(endpoint)
            authenticated = bool(ctx.auth_headers()) and anonymous.status in (401, 403)
            baseline = ctx.baseline(endpoint, authenticated=True) if authenticated else anonymous
        except ProbeError:
            continue
        # Parameters behind a refused request are never reached: probing them proves nothing.
        reached = baseline.status not in (401, 403)
        inputs = _declared(endpoint) + _visible(endpoint) if reached else []
        if anonymous.status == 401 and "basic" in challenges(anonymous):
            inputs.append(Input(endpoint, "username", "credential"))
            inputs.append(Input(endpoint, "password", "credential"))
        if inputs and baseline.status < 500:
            found.append(ProbeTarget(endpoint, baseline, authenticated, tuple(inputs)))
    return found


def _declared(endpoint: Endpoint) -> list[Input]:
    if endpoint.operation is None:
        return []
    return [Input(endpoint, p.name, p.location, p.schema, True)
            for p in endpoint.operation.parameters
            if p.location in ("path", "query", "header")
            and p.name.lower() not in _SKIPPED_HEADERS]


def _visible(endpoint: Endpoint) -> list[Input]:
    declared = {p.name for p in endpoint.operation.parameters} if endpoint.operation else set()
    return [Input(endpoint, name, "query")
            for name, _ in parse_qsl(urlsplit(endpoint.url).query, keep_blank_values=True)
            if name not in declared]


def send(ctx: ScanContext, target: ProbeTarget, item: Input, value: str,
         name: str | None = None) -> ProbeResponse:
    """The endpoint's ordinary request with `item` set to `value` (or renamed to `name`)."""
    endpoint = target.endpoint
    headers = dict(endpoint.headers)
    url = endpoint.url
    if item.location == "credential":
        user, password = (value, "wrong-password") if item.name == "username" \
            else (DUMMY_USER, value)
        headers["Authorization"] = basic_header(user, password)
        return ctx.http.get(url, headers=headers, use_extra_headers=False)
    if target.authenticated:
        headers.update(ctx.auth_headers())
    if item.location == "query":
        parts = urlsplit(url)
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k != item.name]
        pairs.append((name or item.name, value))
        url = urlunsplit(parts._replace(query=urlencode(pairs)))
    elif item.location == "path":
        url = _with_path_value(endpoint, item.name, value)
    elif item.location == "header":
        headers[item.name] = value
    return ctx.http.get(url, headers=headers, use_extra_headers=target.authenticated)


def _with_path_value(endpoint: Endpoint, name: str, value: str) -> str:
    """The endpoint URL with one path parameter replaced (the others keep their values)."""
    assert endpoint.operation is not None
    parts = urlsplit(endpoint.url)
    template = endpoint.operation.path
    filled = template
    for param in endpoint.operation.parameters_in("path"):
        text = value if param.name == name else as_text(parameter_value(param))
        filled = filled.replace("{" + param.name + "}", quote(text, safe=""))
    original = template
    for param in endpoint.operation.parameters_in("path"):
        original = original.replace("{" + param.name + "}",
                                    quote(as_text(parameter_value(param)), safe=""))
    prefix = parts.path[: len(parts.path) - len(original)] if parts.path.endswith(original) \
        else ""
    return urlunsplit(parts._replace(path=prefix + filled))


def numeric(schema: JsonObject) -> bool:
    return schema.get("type") in ("integer", "number")


def schema_forbids(schema: JsonObject, value: str) -> bool:
    """Whether the declared schema rules `value` out (type, enum, bounds, length, pattern)."""
    kind = schema.get("type")
    if kind in ("integer", "number"):
        try:
            number: Any = int(value) if kind == "integer" else float(value)
        except ValueError:
            return True
        low, high = schema.get("minimum"), schema.get("maximum")
        return (isinstance(low, int | float) and number < low) or \
            (isinstance(high, int | float) and number > high)
    if kind == "boolean":
        return value not in ("true", "false")
    if isinstance(schema.get("enum"), list):
        return value not in [as_text(v) for v in schema["enum"]]
    if isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
        return True
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            return re.search(pattern, value) is None
        except re.error:
            return False
    return False
