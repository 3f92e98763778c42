"""Values that reach an operation: from the spec's examples, defaults and enums, or generated.

A scan must actually reach every operation, so each path parameter, required query parameter
and request body gets a value the server should accept: the spec's own example first, then
the default, the first enum value or const, else a small value generated to satisfy the schema
(type, format, bounds, pattern-free). Generation is deterministic, so two scans send the same.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from apivigil.spec.model import CIRCULAR, JsonObject, Operation, Parameter

MAX_DEPTH = 6
_FORMATS: dict[str, Any] = {
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "YXBpdmlnaWw=",
    "password": "apivigil-Probe-1",
}


def schema_value(schema: Any, depth: int = 0) -> Any:
    """A value valid for `schema` (as far as a small generator can tell)."""
    if not isinstance(schema, dict) or CIRCULAR in schema or depth > MAX_DEPTH:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for combinator in ("allOf", "oneOf", "anyOf"):
        parts = [p for p in schema.get(combinator) or [] if isinstance(p, dict)]
        if parts:
            if combinator == "allOf":
                merged: JsonObject = {}
                for part in parts:
                    value = schema_value(part, depth + 1)
                    if isinstance(value, dict):
                        merged.update(value)
                    elif value is not None:
                        return value
                return merged
            return schema_value(parts[0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "array":
        item = schema_value(schema.get("items"), depth + 1)
        count = max(1, int(schema.get("minItems") or 1))
        return [item] * min(count, 3) if item is not None else []
    if kind == "object":
        required = set(schema.get("required") or [])
        properties = schema.get("properties") or {}
        return {name: schema_value(prop, depth + 1) for name, prop in properties.items()
                if name in required and isinstance(prop, dict)}
    return None


def _string(schema: JsonObject) -> str:
    value = _FORMATS.get(str(schema.get("format", "")), "apivigil")
    if not isinstance(value, str):
        value = "apivigil"
    low = int(schema.get("minLength") or 0)
    high = schema.get("maxLength")
    if len(value) < low:
        value = value + "x" * (low - len(value))
    if isinstance(high, int) and len(value) > high:
        value = value[: max(high, low)]
    return value


def _number(schema: JsonObject, *, integer: bool) -> int | float:
    low = schema.get("minimum")
    high = schema.get("maximum")
    value: float = 1
    if isinstance(low, (int, float)):
        value = max(value, low + (1 if schema.get("exclusiveMinimum") is True else 0))
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):  # 3.1 numeric form
        value = max(value, schema["exclusiveMinimum"] + 1)
    if isinstance(high, (int, float)) and value > high:
        value = high
    return int(value) if integer else value


def parameter_value(param: Parameter) -> Any:
    """The value to send: the parameter's example(s), else one from its schema."""
    if param.example is not None:
        return param.example
    for example in param.examples:
        if example is not None:
            return example
    value = schema_value(param.schema)
    return "1" if value is None and param.location == "path" else value


def as_text(value: Any) -> str:
    """How a scalar (or simple array) is written into a path, query or header."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(as_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


def fill_path(operation: Operation) -> str:
    """The path template with every path parameter filled in (URL-encoded)."""
    path = operation.path
    for param in operation.parameters_in("path"):
        path = path.replace("{" + param.name + "}",
                            quote(as_text(parameter_value(param)), safe=""))
    return path


def query_string(operation: Operation) -> str:
    """Required query parameters with values (optional ones are left out)."""
    pairs = [(p.name, as_text(parameter_value(p))) for p in operation.parameters_in("query")
             if p.required]
    return urlencode(pairs)


def header_values(operation: Operation) -> dict[str, str]:
    """Required header parameters (never Authorization: credentials come from the scan)."""
    return {p.name: as_text(parameter_value(p)) for p in operation.parameters_in("header")
            if p.required and p.name.lower() not in ("authorization", "cookie", "accept",
                                                     "content-type")}


def request_body(operation: Operation) -> tuple[str, bytes] | None:
    """(content type, body) built from the body's example or schema; JSON preferred."""
    body = operation.request_body
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
        return None
    content: JsonObject = body["content"]
    media_type = next((m for m in content if "json" in m.lower()), None) or next(
        (m for m in content if m.lower() == "application/x-www-form-urlencoded"), None)
    if media_type is None:
        return None
    media = content[media_type] if isinstance(content[media_type], dict) else {}
    value = media.get("example")
    if value is None and isinstance(media.get("examples"), dict):
        value = next((e.get("value") for e in media["examples"].values()
                      if isinstance(e, dict) and "value" in e), None)
    if value is None:
        value = schema_value(media.get("schema"))
    if "json" in media_type.lower():
        return media_type, json.dumps(value if value is not None else {}).encode()
    pairs = value.items() if isinstance(value, dict) else []
    return media_type, urlencode([(k, as_text(v)) for k, v in pairs]).encode()
