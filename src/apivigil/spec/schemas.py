"""Reading schemas the way a security check needs: declared properties, open objects, media.

Lenient on purpose: a schema apivigil cannot fully understand (a circular reference, a
`oneOf` of different shapes, `additionalProperties`, `patternProperties`) counts as allowing
more, so the checks built on it stay quiet rather than raise false alarms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apivigil.spec.model import CIRCULAR, JsonObject

MAX_DEPTH = 8
MAX_ITEMS = 20  # array elements compared per array
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SENSITIVE_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "secret", "token",
                              "ssn", "cvv", "cvc", "salt", "pin", "otp", "totp", "apikey",
                              "privatekey", "credential", "credentials"})
_SENSITIVE_ENDINGS = ("apikey", "privatekey", "secretkey", "accesskey", "cardnumber",
                      "creditcard", "socialsecuritynumber", "sessionid", "iban", "passwordhash",
                      "passworddigest", "hashedpassword", "pinhash", "secrethash")


def sensitive_name(name: str) -> bool:
    """password, password_hash, apiKey, card_number, ssn...: names of secrets or personal data.

    Judged on the name's last word (its head noun), so `secret_name`, `token_type` or
    `password_changed_at` (facts about a secret, not the secret) are not sensitive.
    """
    words = [w.lower() for w in _WORDS.findall(name)]
    if not words:
        return False
    joined = "".join(words)
    return words[-1] in _SENSITIVE_WORDS or joined.endswith(_SENSITIVE_ENDINGS)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def media_declared(actual: str, declared: Iterator[str] | list[str]) -> bool:
    """Does a response's media type match one of the declared keys (wildcards allowed)?"""
    kind, _, _ = actual.partition("/")
    for key in declared:
        key = media_type(key)
        if key in (actual, "*/*", f"{kind}/*"):
            return True
        # application/problem+json is a JSON variant that specs often leave implicit
        if key == "application/json" and actual.endswith("+json"):
            return True
    return False


def content_of(response: JsonObject | None) -> JsonObject:
    content = (response or {}).get("content")
    return content if isinstance(content, dict) else {}


def schema_for(response: JsonObject | None, actual_media: str) -> JsonObject | None:
    """The declared schema for a response's media type (exact match, then wildcard)."""
    content = content_of(response)
    for key, media in content.items():
        if media_type(key) == actual_media and isinstance(media, dict):
            schema = media.get("schema")
            return schema if isinstance(schema, dict) else None
    for key, media in content.items():
        if media_declared(actual_media, [key]) and isinstance(media, dict):
            schema = media.get("schema")
            return schema if isinstance(schema, dict) else None
    return None


def _parts(schema: JsonObject) -> list[JsonObject]:
    return [p for c in ("allOf", "oneOf", "anyOf") for p in schema.get(c) or []
            if isinstance(p, dict)]


def object_shape(schema: JsonObject, depth: int = 0) -> tuple[dict[str, Any], bool]:
    """(declared properties -> schema, open) of an object schema, through allOf/oneOf/anyOf.

    `open` is True when the schema lets any property through: no `properties` at all,
    `additionalProperties` true or a schema, `patternProperties`, or something not understood.
    """
    if CIRCULAR in schema or depth > MAX_DEPTH:
        return {}, True
    properties: dict[str, Any] = {}
    declared = isinstance(schema.get("properties"), dict)
    if declared:
        properties.update(schema["properties"])
    extra = schema.get("additionalProperties")
    is_open = (extra not in (None, False)) or "patternProperties" in schema
    parts = _parts(schema)
    for part in parts:
        part_props, part_open = object_shape(part, depth + 1)
        properties.update(part_props)
        is_open = is_open or part_open
    if not declared and not parts:
        is_open = True
    return properties, is_open


def closed_to_additional(schema: JsonObject) -> bool:
    """additionalProperties: false (or unevaluatedProperties: false) somewhere in the schema."""
    if schema.get("additionalProperties") is False or schema.get(
            "unevaluatedProperties") is False:
        return True
    return any(closed_to_additional(p) for p in _parts(schema))


def undeclared_properties(value: Any, schema: Any, where: str = "",
                          depth: int = 0) -> list[str]:
    """Dotted paths of properties in `value` that the schema does not declare."""
    if not isinstance(schema, dict) or CIRCULAR in schema or depth > MAX_DEPTH:
        return []
    if isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, dict):
            items = next((p.get("items") for p in _parts(schema)
                          if isinstance(p.get("items"), dict)), None)
        found: list[str] = []
        for element in value[:MAX_ITEMS]:
            for path in undeclared_properties(element, items, where + "[]", depth + 1):
                if path not in found:
                    found.append(path)
        return found
    if not isinstance(value, dict):
        return []
    properties, is_open = object_shape(schema)
    found = []
    for key, item in value.items():
        path = f"{where}.{key}" if where else str(key)
        if key in properties:
            found.extend(undeclared_properties(item, properties[key], path, depth + 1))
        elif not is_open:
            found.append(path)
    return found


def walk_properties(schema: Any, where: str = "", depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(dotted path, property schema) for every declared property, nested ones included."""
    if not isinstance(schema, dict) or CIRCULAR in schema or depth > MAX_DEPTH:
        return
    if isinstance(schema.get("items"), dict):
        yield from walk_properties(schema["items"], where + "[]", depth + 1)
    properties, _ = object_shape(schema)
    for name, prop in properties.items():
        path = f"{where}.{name}" if where else str(name)
        yield path, prop
        yield from walk_properties(prop, path, depth + 1)
