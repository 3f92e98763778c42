"""What the authorization checks share: requests as an identity, objects, owners, spec schemas.

Requests go through `fetch`, cached per (identity, URL) in the scan's shared cache, so the BOLA,
BFLA and property checks never send the same GET twice. Ownership is read from what the API
itself says: which ids an identity's own listing contains, and owner-like fields that name an
identity's user name. Nothing here guesses beyond that, because a false BOLA alarm on a
well-built API costs the user more than a missed one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from apivigil.checks.base import ScanContext
from apivigil.checks.observation import fetch_as
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.http.client import Exchange, ProbeResponse
from apivigil.spec.model import Operation

ID_KEYS = ("id", "uuid", "_id")
# Fields whose string value names the user an object belongs to (or the user it describes).
OWNER_KEYS = ("owner", "owner_name", "username", "user", "user_name", "login", "created_by",
              "createdBy", "userName")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
_SAFE_KEY = re.compile(r"^[^/\x00-\x1f]{1,200}$")  # a name or title: anything but '/' and controls
ADMIN_ROLES = frozenset({"admin", "administrator", "superuser", "root", "superadmin", "owner"})
_ADMIN_SEGMENT = re.compile(
    r"^(admin|administrator|administration|internal|management|superuser|backoffice|sysadmin)$",
    re.IGNORECASE,
)
_ROLE_EXTENSIONS = ("x-roles", "x-required-roles", "x-role", "x-required-role", "x-allowed-roles")
_ADMIN_EXTENSIONS = ("x-admin", "x-admin-only", "x-internal")
# Checks that change data run after the read-only ones, so they never move what those read.
WRITE_PHASE = 5


def fetch(ctx: ScanContext, identity: Identity | None, url: str) -> ProbeResponse | None:
    """GET `url` as `identity` (None = anonymously), once per scan; None when it failed."""
    try:
        return fetch_as(ctx, identity, url)
    except BudgetExhaustedError:
        raise
    except ProbeError:
        return None


def ok(response: ProbeResponse | None) -> bool:
    return response is not None and 200 <= response.status < 300


def json_body(response: ProbeResponse | None) -> Any:
    """The parsed JSON body of a 2xx response, or None."""
    if response is None or not ok(response) or response.truncated:
        return None
    text = response.text.strip()
    if not text or text[0] not in "[{":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def object_id(value: Any, keys: tuple[str, ...] = ID_KEYS) -> str | None:
    """The key of a JSON object, as text, when it has a usable one: an id, or (with `keys`
    from the item route's path parameter) a name, title, slug or any other key."""
    if not isinstance(value, dict):
        return None
    for key in keys:
        raw = value.get(key)
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            continue
        text = str(raw)
        if _SAFE_ID.match(text) or (key not in ID_KEYS and _SAFE_KEY.match(text)):
            return text
    return None


def item_keys(ctx: ScanContext, collection: Endpoint) -> tuple[str, ...]:
    """The fields that key the collection's objects: the path parameter of its item route
    (`GET /books/{title}` -> title, `{book_title}` -> book_title and title), then ids."""
    prefix = collection.path.rstrip("/")
    pattern = re.compile(re.escape(prefix) + r"/\{([^/{}]+)\}$")
    for op in ctx.spec.operations if ctx.spec else ():
        match = pattern.match(op.path)
        if op.method == "GET" and match:
            name = match.group(1)
            tail = re.split(r"_|(?<=[a-z])(?=[A-Z])", name)[-1].lower()
            return tuple(dict.fromkeys((name, tail, *ID_KEYS)))
    return ID_KEYS


def unwrap(value: Any, keys: tuple[str, ...] = ID_KEYS) -> dict[str, Any] | None:
    """The object in a body: itself, or the one object of an envelope like {"data": {...}}."""
    if object_id(value, keys) is not None:
        return value  # type: ignore[no-any-return]
    if isinstance(value, dict):
        inner = [v for v in value.values() if object_id(v, keys) is not None]
        if len(inner) == 1:
            return inner[0]  # type: ignore[no-any-return]
    return None


def listed_objects(value: Any, keys: tuple[str, ...] = ID_KEYS) -> list[dict[str, Any]]:
    """Objects with keys in a listing: a top-level array, or the first array of an envelope."""
    items: list[Any] = []
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        for inner in value.values():
            if isinstance(inner, list) and any(object_id(i, keys) is not None for i in inner):
                items = inner
                break
    return [i for i in items if object_id(i, keys) is not None]


def walk_objects(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every JSON object in a body (a few levels deep)."""
    if depth > 4:
        return
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from walk_objects(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value[:200]:
            yield from walk_objects(inner, depth + 1)


def owner_names(obj: Mapping[str, Any]) -> set[str]:
    """User names an object names as its owner (or as the user it describes)."""
    return {v for k in OWNER_KEYS if isinstance(v := obj.get(k), str) and v}


def belongs_to(obj: Mapping[str, Any], identity: Identity) -> bool:
    return identity.username is not None and identity.username in owner_names(obj)


def same_object(first: Mapping[str, Any], second: Mapping[str, Any],
                keys: tuple[str, ...] = ID_KEYS) -> bool:
    """Same key and at least 80% of the first's fields with equal values: the same record."""
    if object_id(first, keys) != object_id(second, keys) or not first:
        return False
    equal = sum(1 for k, v in first.items() if k in second and second[k] == v)
    return equal / len(first) >= 0.8


def url_for(ctx: ScanContext, path: str) -> str:
    """A spec path (template filled in) as a URL on the target, like `Target.with_spec`."""
    return ctx.target.origin(ctx.target.scheme) + ctx.target.base_path + path


@dataclass(frozen=True)
class ObjectRoute:
    """How to address one object of a collection: a URL and the path template it fills."""

    url: str
    template: str
    parameter: str
    operation: Operation | None


def object_route(ctx: ScanContext, collection: Endpoint, oid: str) -> ObjectRoute:
    """The item URL of `oid` in `collection`: the spec's `GET <collection>/{param}` if it has
    one, else the REST convention `<collection URL>/<id>` (callers confirm it answers)."""
    prefix = collection.path.rstrip("/")
    pattern = re.compile(re.escape(prefix) + r"/\{([^/{}]+)\}$")
    for op in ctx.spec.operations if ctx.spec else ():
        match = pattern.match(op.path)
        if op.method == "GET" and match:
            filled = op.path.replace("{" + match.group(1) + "}", quote(oid, safe=""))
            return ObjectRoute(url_for(ctx, filled), op.path, match.group(1), op)
    return ObjectRoute(collection.url.split("?", 1)[0].rstrip("/") + "/" + quote(oid, safe=""),
                       prefix + "/{id}", "id", None)


def example_routes(ctx: ScanContext, limit: int = 3) -> list[ObjectRoute]:
    """Spec GET templates with one path parameter, filled with the spec's example value."""
    routes = []
    for op in ctx.spec.operations if ctx.spec else ():
        params = [p for p in op.parameters if p.location == "path"]
        if op.method != "GET" or len(params) != 1 or "{" + params[0].name + "}" not in op.path:
            continue
        param = params[0]
        value = param.example if param.example is not None else param.schema.get("example")
        if value is None and param.examples:
            value = param.examples[0]
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value):
            continue
        filled = op.path.replace("{" + param.name + "}", quote(str(value), safe=""))
        routes.append(ObjectRoute(url_for(ctx, filled), op.path, param.name, op))
    return routes[:limit]


def collections(ctx: ScanContext, limit: int = 6) -> list[Endpoint]:
    """Concrete GET endpoints that may list objects: paths without parameters first (spec
    templates filled with example values come after), secured ones first."""
    endpoints = [e for e in ctx.target.concrete_endpoints() if e.method == "GET"]
    endpoints.sort(key=lambda e: ("{" in e.path, not e.declared_secured, e.path))
    return endpoints[:limit]


def both_exchanges(label: str, exchange: Exchange) -> str:
    """A recorded (already redacted) exchange as text for a finding's evidence data."""
    return f"{label}\n{exchange.request_text()}\n\n{exchange.response_text()}"


# -- roles and administrative operations -------------------------------------------------


def admin_roles(ctx: ScanContext) -> frozenset[str]:
    """Roles that may call administrative operations (setting 'admin_roles' adds more)."""
    extra = ctx.options.setting("admin_roles", ())
    return ADMIN_ROLES | {str(r).lower() for r in extra}


def least_privileged(ctx: ScanContext) -> Identity | None:
    """The first identity without an admin role (else the primary; None without identities):
    the one whose writes should be refused."""
    admins = admin_roles(ctx)
    for identity in ctx.identities:
        if identity.role is None or identity.role.lower() not in admins:
            return identity
    return ctx.identities[0] if ctx.identities else None


def roles_named(operation: Operation | None) -> frozenset[str]:
    """Roles an operation's x- extensions name as the only ones allowed to call it."""
    if operation is None:
        return frozenset()
    found: set[str] = set()
    for key in _ROLE_EXTENSIONS:
        value = operation.extensions.get(key)
        if isinstance(value, str):
            found.add(value.lower())
        elif isinstance(value, list):
            found.update(str(v).lower() for v in value)
    return frozenset(found)


def looks_administrative(path: str, operation: Operation | None) -> str | None:
    """Why an operation looks administrative (a path segment, a tag, an x- extension), or None."""
    for segment in path.strip("/").split("/"):
        if _ADMIN_SEGMENT.match(segment):
            return f"its path has the segment '{segment}'"
    if operation is None:
        return None
    for tag in operation.tags:
        if _ADMIN_SEGMENT.match(tag.strip()):
            return f"the spec tags it '{tag}'"
    for key in _ADMIN_EXTENSIONS:
        if operation.extensions.get(key) is True:
            return f"the spec marks it {key}: true"
    roles = roles_named(operation)
    if roles:
        return f"the spec allows only the roles {', '.join(sorted(roles))}"
    return None


# -- spec schemas ------------------------------------------------------------------------


def resolve(ctx: ScanContext, node: Any, depth: int = 0) -> Any:
    """Follow local `$ref`s in the raw spec (the operation model keeps schemas raw)."""
    if depth > 20 or not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
        return node
    ref = node["$ref"]
    if not ref.startswith("#/") or ctx.spec is None:
        return node
    target: Any = ctx.spec.raw
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            return {}
        target = target[part]
    return resolve(ctx, target, depth + 1)


def object_schema(ctx: ScanContext, schema: Any) -> dict[str, Any]:
    """The object schema of a body: arrays give their items, allOf parts are merged."""
    schema = resolve(ctx, schema)
    if not isinstance(schema, dict):
        return {}
    if schema.get("type") == "array" or "items" in schema:
        return object_schema(ctx, schema.get("items"))
    if "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for part in schema["allOf"]:
            inner = object_schema(ctx, part)
            merged["properties"].update(inner.get("properties") or {})
            merged["required"] += list(inner.get("required") or [])
        return merged
    return schema


def json_schema_of(ctx: ScanContext, holder: Any) -> dict[str, Any]:
    """The JSON schema of a request body or a response (OpenAPI 3 `content` or Swagger 2)."""
    holder = resolve(ctx, holder)
    if not isinstance(holder, dict):
        return {}
    content = holder.get("content")
    if isinstance(content, dict):
        for media, value in content.items():
            if "json" in media and isinstance(value, dict):
                return object_schema(ctx, value.get("schema"))
        return {}
    return object_schema(ctx, holder.get("schema"))


def response_schema(ctx: ScanContext, operation: Operation) -> dict[str, Any]:
    for status in ("200", "201", "2XX", "default"):
        if status in operation.responses:
            return json_schema_of(ctx, operation.responses[status])
    return {}


def foreign_objects(
    ctx: ScanContext,
    collection: Endpoint,
    listing: list[dict[str, object]],
    other: Identity,
    limit: int,
    keys: tuple[str, ...] = ID_KEYS,
) -> tuple[bool, list[tuple[str, ObjectRoute]]]:
    """Objects in the primary's listing that `other` neither lists nor owns, with their routes:
    the candidates of both BOLA checks. The flag says whether `other`'s own listing could be
    read (a stronger basis for the finding than ownership fields alone)."""
    other_listing = fetch(ctx, other, collection.url)
    compared = ok(other_listing)
    other_ids = ({object_id(o, keys) for o in listed_objects(json_body(other_listing), keys)}
                 if compared else set())
    candidates = [o for o in listing
                  if object_id(o, keys) not in other_ids and not belongs_to(o, other)]
    routes = []
    for obj in candidates[:limit]:
        oid = object_id(obj, keys)
        assert oid is not None
        routes.append((oid, object_route(ctx, collection, oid)))
    return compared, routes
