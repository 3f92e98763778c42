"""Load an OpenAPI 3.x or Swagger 2.0 document into the operation model.

Parsing is safe (yaml.safe_load, alias count capped) and size-capped; a document that cannot be
read or is not an API description raises `SpecError`, never a silent scan of nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from apivigil.core.errors import SpecError
from apivigil.spec.model import ApiSpec, JsonObject, Operation, Parameter, SecurityScheme

MAX_SPEC_BYTES = 20 * 1024 * 1024
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def parse_document(text: str, source: str) -> JsonObject:
    """JSON or YAML (safe loader only) to a dict, with a clear error for anything else."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"spec {source} is larger than {MAX_SPEC_BYTES // 2**20} MiB")
    try:
        data: Any = json.loads(text)
    except ValueError:
        try:
            data = yaml.load(text, Loader=_LimitedSafeLoader)  # noqa: S506 - safe subclass
        except yaml.YAMLError as exc:
            raise SpecError(f"spec {source} is neither valid JSON nor YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SpecError(f"spec {source} is not an OpenAPI document (top level is not a mapping)")
    return data


class _LimitedSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses alias bombs (billion laughs) by capping alias use."""

    MAX_ALIASES = 1000

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self.MAX_ALIASES:
                raise yaml.YAMLError("too many YAML aliases (possible alias bomb)")
        return super().compose_node(parent, index)


def load_spec_file(path: str) -> ApiSpec:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_SPEC_BYTES:
            raise SpecError(f"spec {path} is larger than {MAX_SPEC_BYTES // 2**20} MiB")
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read spec {path}: {exc}") from None
    return build_spec(parse_document(text, path), path)


def build_spec(document: JsonObject, source: str) -> ApiSpec:
    """Turn a parsed document into the operation model."""
    version = str(document.get("openapi") or document.get("swagger") or "")
    if not (version.startswith("3.") or version == "2.0"):
        raise SpecError(
            f"spec {source} has no 'openapi: 3.x' or 'swagger: 2.0' field; "
            "is it an API description?"
        )
    if not isinstance(document.get("paths", {}), dict):
        raise SpecError(f"spec {source}: 'paths' is not a mapping")
    resolver = _LocalRefs(document, source)
    schemes = _security_schemes(document, version, resolver)
    global_security = _requirements(document.get("security"))
    operations: list[Operation] = []
    for path, item in (document.get("paths") or {}).items():
        item = resolver.resolve(item)
        if not isinstance(item, dict):
            continue
        shared_params = item.get("parameters") or []
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            security = _requirements(op["security"]) if "security" in op else global_security
            params = _parameters(list(shared_params) + list(op.get("parameters") or []), resolver)
            operations.append(
                Operation(
                    method=method.upper(),
                    path=str(path),
                    operation_id=op.get("operationId"),
                    summary=op.get("summary"),
                    tags=tuple(str(t) for t in op.get("tags") or ()),
                    parameters=params,
                    request_body=resolver.resolve(op.get("requestBody")),
                    security=security,
                    responses=op.get("responses") or {},
                    extensions={k: v for k, v in op.items() if str(k).startswith("x-")},
                )
            )
    return ApiSpec(
        source=source,
        version=version,
        title=str((document.get("info") or {}).get("title") or ""),
        servers=_servers(document, version),
        security_schemes=schemes,
        operations=tuple(operations),
        raw=document,
    )


class _LocalRefs:
    """Resolve local `#/...` references one level at a time (enough for the model's fields)."""

    def __init__(self, document: JsonObject, source: str) -> None:
        self.document = document
        self.source = source

    def resolve(self, node: Any, depth: int = 0) -> Any:
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        if depth > 50:
            raise SpecError(f"spec {self.source}: $ref chain too deep")
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node  # external references are resolved by the full resolver
        target: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise SpecError(f"spec {self.source}: unresolvable reference {ref}")
            target = target[part]
        return self.resolve(target, depth + 1)


def _requirements(value: Any) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(tuple(sorted(req)) if isinstance(req, dict) else () for req in value)


def _parameters(raw: list[Any], resolver: _LocalRefs) -> tuple[Parameter, ...]:
    found: dict[tuple[str, str], Parameter] = {}
    for item in raw:
        param = resolver.resolve(item)
        if not isinstance(param, dict) or "name" not in param:
            continue
        schema = resolver.resolve(param.get("schema")) or {
            k: param[k] for k in ("type", "format", "enum", "default") if k in param
        }
        found[(param["name"], param.get("in", "query"))] = Parameter(
            name=str(param["name"]),
            location=str(param.get("in", "query")),
            required=bool(param.get("required", False)),
            schema=schema if isinstance(schema, dict) else {},
            example=param.get("example"),
        )
    return tuple(found.values())


def _security_schemes(
    document: JsonObject, version: str, resolver: _LocalRefs
) -> dict[str, SecurityScheme]:
    if version == "2.0":
        raw = document.get("securityDefinitions") or {}
    else:
        raw = (document.get("components") or {}).get("securitySchemes") or {}
    schemes = {}
    for name, definition in raw.items():
        definition = resolver.resolve(definition)
        if not isinstance(definition, dict):
            continue
        kind = str(definition.get("type", ""))
        scheme = definition.get("scheme")
        if kind == "basic":  # Swagger 2.0
            kind, scheme = "http", "basic"
        schemes[name] = SecurityScheme(
            name=name,
            type=kind,
            scheme=str(scheme).lower() if scheme else None,
            location=definition.get("in"),
            parameter_name=definition.get("name"),
        )
    return schemes


def _servers(document: JsonObject, version: str) -> tuple[str, ...]:
    if version == "2.0":
        host = document.get("host")
        if not host:
            return ()
        base = document.get("basePath", "")
        return tuple(f"{s}://{host}{base}" for s in document.get("schemes") or ["https"])
    return tuple(
        str(s["url"]) for s in document.get("servers") or [] if isinstance(s, dict) and "url" in s
    )
