"""Load an OpenAPI 3.0/3.1 or Swagger 2.0 document into the operation model.

Parsing is safe (yaml.safe_load with alias use capped, and alias expansion bounded) and
size-capped; references are resolved by `spec.resolver` (local, relative files, URLs,
circular). A document that cannot be read, is not an API description, or declares no
operation raises `SpecError` with one clear sentence: never a silent scan of nothing.

What runs on every load is cheap (parse, resolve, build the model: about a second for GitHub's
1,200-operation description). Full JSON-Schema validation of the document
(openapi-spec-validator) is much slower and is only done on request (`validate_document`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import yaml

from apivigil.core.errors import SpecError
from apivigil.core.extras import needs_extra
from apivigil.spec.model import ApiSpec, JsonObject, Operation, Parameter, SecurityScheme
from apivigil.spec.resolver import Fetch, RefInliner, file_uri, read_text_file

MAX_SPEC_BYTES = 20 * 1024 * 1024
MAX_EXPANDED_NODES = 2_000_000  # nodes after YAML alias expansion (alias bombs stop here)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_FORM = "application/x-www-form-urlencoded"


def parse_document(text: str, source: str) -> JsonObject:
    """JSON or YAML (safe loader only) to a dict, with a clear error for anything else."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"spec {source} is larger than {MAX_SPEC_BYTES // 2**20} MiB")
    try:
        data: Any = json.loads(text)
    except RecursionError:
        raise SpecError(f"spec {source} is nested too deeply") from None
    except ValueError:
        data = _load_yaml(text, source)
    if not isinstance(data, dict):
        raise SpecError(f"spec {source} is not an OpenAPI document (top level is not a mapping)")
    return data


def _load_yaml(text: str, source: str) -> Any:
    try:
        loader = _LimitedSafeLoader(text)  # the reader rejects control characters here
    except yaml.YAMLError as exc:
        raise SpecError(f"spec {source} is neither valid JSON nor YAML: {exc}") from None
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise SpecError(f"spec {source} is neither valid JSON nor YAML: {exc}") from None
    except RecursionError:
        raise SpecError(f"spec {source} is nested too deeply") from None
    finally:
        loader.dispose()
    if loader.aliases:
        _bounded_size(data, source)
    return data


def _bounded_size(data: Any, source: str) -> None:
    """Aliases share nodes; count them as expanded, so a billion-laughs file fails fast."""
    stack = [data]
    count = 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_EXPANDED_NODES:
            raise SpecError(f"spec {source} expands to more than {MAX_EXPANDED_NODES:,} nodes "
                            "through YAML aliases (an alias bomb?)")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class _LimitedSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses alias bombs (billion laughs) by capping alias use."""

    MAX_ALIASES = 1000

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.MAX_ALIASES:
                raise yaml.YAMLError("too many YAML aliases (possible alias bomb)")
        return super().compose_node(parent, index)


def load_spec(source: str, fetch: Fetch | None = None) -> ApiSpec:
    """A spec from a file path or an http(s) URL (`fetch` returns a URL's text)."""
    if urlsplit(source).scheme in ("http", "https"):
        if fetch is None:
            raise SpecError(f"cannot fetch spec {source}: no HTTP access here")
        return build_spec(parse_document(fetch(source), source), source, fetch=fetch)
    return load_spec_file(source, fetch)


def load_spec_file(path: str, fetch: Fetch | None = None) -> ApiSpec:
    text = read_text_file(path, MAX_SPEC_BYTES)
    return build_spec(parse_document(text, path), path, fetch=fetch, base_uri=file_uri(path))


def validate_document(document: JsonObject, source: str, fetch: Fetch | None = None) -> None:
    """Full validation against the OpenAPI JSON Schemas (slow; optional, `audit --strict`).

    External references are read through apivigil's own loading (size cap, safe YAML, and
    for URLs the caller's `fetch`, which keeps to the spec's host), never by the validator.
    """
    with needs_extra("strict", "strict validation (audit --strict)"):
        from jsonschema_path import SchemaPath
        from openapi_spec_validator.shortcuts import get_validator_cls
        from openapi_spec_validator.validation.exceptions import (
            OpenAPIValidationError,
            ValidatorDetectError,
        )

    def handler(uri: str) -> Any:
        scheme = urlsplit(uri).scheme
        if scheme == "file":
            text = read_text_file(url2pathname(urlsplit(uri).path), MAX_SPEC_BYTES)
        elif fetch is not None:
            text = fetch(uri)
        else:
            raise SpecError(f"cannot follow a reference to {uri}")
        return parse_document(text, uri)

    remote = urlsplit(source).scheme in ("http", "https")
    base = source if remote else file_uri(source)
    try:
        validator = get_validator_cls(document)
        path = SchemaPath.from_dict(document, base_uri=base,
                                    handlers={"file": handler, "http": handler,
                                              "https": handler})
        validator(path).validate()
    except ValidatorDetectError:
        raise SpecError(f"spec {source}: unknown OpenAPI version") from None
    except OpenAPIValidationError as exc:
        where = "/".join(str(p) for p in getattr(exc, "path", ()) or ())
        raise SpecError(f"spec {source} is not valid: {exc.message}"
                        + (f" (at {where})" if where else "")) from None
    except Exception as exc:  # a reference the validator could not follow, and the like
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, SpecError):
            cause = cause.__cause__ or cause.__context__
        detail = str(cause) if cause is not None else f"{type(exc).__name__}: {exc}"
        raise SpecError(f"spec {source} could not be validated: {detail}") from None


def build_spec(
    document: JsonObject,
    source: str,
    *,
    fetch: Fetch | None = None,
    base_uri: str | None = None,
    discovered: bool = False,
) -> ApiSpec:
    """Turn a parsed document into the operation model, resolving every reference."""
    version = str(document.get("openapi") or document.get("swagger") or "")
    if not (version.startswith("3.") or version == "2.0"):
        raise SpecError(
            f"spec {source} has no 'openapi: 3.x' or 'swagger: 2.0' field; "
            "is it an API description?"
        )
    paths = document.get("paths") or {}
    if not isinstance(paths, dict):
        raise SpecError(f"spec {source}: 'paths' is not a mapping")
    base = base_uri or (source if urlsplit(source).scheme in ("http", "https")
                        else file_uri(source))
    inliner = RefInliner(document, base, parse_document, fetch)
    swagger2 = version == "2.0"
    schemes = _security_schemes(document, swagger2, inliner)
    global_security = _requirements(document.get("security"))
    produces = _strings(document.get("produces")) or ["application/json"]
    consumes = _strings(document.get("consumes")) or ["application/json"]
    operations: list[Operation] = []
    for path, raw_item in paths.items():
        if not str(path).startswith("/"):
            raise SpecError(f"spec {source}: path {str(path)[:80]!r} does not start with '/'")
        item = inliner.inline(raw_item)
        if not isinstance(item, dict):
            continue
        shared_params = _list(item.get("parameters"))
        path_servers = _servers_list(item.get("servers"))
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            if not isinstance(op, dict):
                raise SpecError(f"spec {source}: {method.upper()} {path} is not a mapping")
            explicit = "security" in op
            raw_params = shared_params + _list(op.get("parameters"))
            params = _parameters(raw_params)
            if swagger2:
                body = _swagger2_body(raw_params, _strings(op.get("consumes")) or consumes)
                responses = _swagger2_responses(op.get("responses"),
                                                _strings(op.get("produces")) or produces)
            else:
                body = op.get("requestBody") if isinstance(op.get("requestBody"), dict) else None
                raw_responses = op.get("responses")
                responses = ({str(k): v for k, v in raw_responses.items()}  # YAML: 200 -> "200"
                             if isinstance(raw_responses, dict) else {})
            operations.append(
                Operation(
                    method=method.upper(),
                    path=str(path),
                    operation_id=op.get("operationId"),
                    summary=op.get("summary"),
                    tags=tuple(str(t) for t in _list(op.get("tags"))),
                    parameters=params,
                    request_body=body,
                    security=_requirements(op["security"]) if explicit else global_security,
                    responses=responses,
                    extensions={k: v for k, v in op.items() if str(k).startswith("x-")},
                    security_explicit=explicit,
                    servers=_servers_list(op.get("servers")) or path_servers,
                    deprecated=bool(op.get("deprecated", False)),
                )
            )
    if not operations:
        raise SpecError(f"spec {source} declares no operations under 'paths': "
                        "nothing to scan or audit")
    return ApiSpec(
        source=source,
        version=version,
        title=str((document.get("info") or {}).get("title") or ""),
        servers=_servers(document, swagger2),
        security_schemes=schemes,
        operations=tuple(operations),
        raw=document,
        global_security=global_security,
        circular_refs=tuple(sorted(inliner.circular)),
        discovered=discovered,
    )


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _requirements(value: Any) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(tuple(sorted(req)) if isinstance(req, dict) else () for req in value)


_SWAGGER2_SCHEMA_KEYS = ("type", "format", "enum", "default", "items", "maxLength", "minLength",
                         "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                         "maxItems", "minItems", "multipleOf", "collectionFormat")


def _parameters(raw: list[Any]) -> tuple[Parameter, ...]:
    found: dict[tuple[str, str], Parameter] = {}
    for param in raw:
        if not isinstance(param, dict) or "name" not in param:
            continue
        location = str(param.get("in", "query"))
        if location in ("body", "formData"):
            continue  # Swagger 2: these become the request body
        schema: Any = param.get("schema")
        if schema is None and isinstance(param.get("content"), dict):
            media: Any = next(iter(param["content"].values()), {})
            schema = media.get("schema") if isinstance(media, dict) else None
        if schema is None:
            schema = {k: param[k] for k in _SWAGGER2_SCHEMA_KEYS if k in param}
        examples = param.get("examples")
        values: tuple[Any, ...] = ()
        if isinstance(examples, dict):
            values = tuple(e["value"] for e in examples.values()
                           if isinstance(e, dict) and "value" in e)
        found[(str(param["name"]), location)] = Parameter(
            name=str(param["name"]),
            location=location,
            required=bool(param.get("required", False)) or location == "path",
            schema=schema if isinstance(schema, dict) else {},
            example=param.get("example"),
            examples=values,
            description=param.get("description"),
            deprecated=bool(param.get("deprecated", False)),
        )
    return tuple(found.values())


def _swagger2_body(raw: list[Any], consumes: list[str]) -> JsonObject | None:
    """Swagger 2 `in: body` / `in: formData` parameters as an OpenAPI 3 requestBody."""
    params = [p for p in raw if isinstance(p, dict)]
    for param in params:
        if param.get("in") == "body":
            schema = param.get("schema") if isinstance(param.get("schema"), dict) else {}
            return {"required": bool(param.get("required", False)),
                    "content": {ct: {"schema": schema} for ct in consumes}}
    form = [p for p in params if p.get("in") == "formData" and "name" in p]
    if not form:
        return None
    properties = {str(p["name"]): {k: p[k] for k in _SWAGGER2_SCHEMA_KEYS if k in p}
                  for p in form}
    required = [str(p["name"]) for p in form if p.get("required")]
    media = "multipart/form-data" if any(p.get("type") == "file" for p in form) else _FORM
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": bool(required), "content": {media: {"schema": schema}}}


def _swagger2_responses(raw: Any, produces: list[str]) -> JsonObject:
    if not isinstance(raw, dict):
        return {}
    out: JsonObject = {}
    for code, response in raw.items():
        if not isinstance(response, dict):
            continue
        converted = dict(response)
        if isinstance(response.get("schema"), dict):
            converted["content"] = {ct: {"schema": response["schema"]} for ct in produces}
        out[str(code)] = converted
    return out


def _security_schemes(
    document: JsonObject, swagger2: bool, inliner: RefInliner
) -> dict[str, SecurityScheme]:
    if swagger2:
        raw = document.get("securityDefinitions") or {}
    else:
        raw = (document.get("components") or {}).get("securitySchemes") or {}
    schemes = {}
    for name, definition in inliner.inline(raw).items() if isinstance(raw, dict) else ():
        if not isinstance(definition, dict):
            continue
        kind = str(definition.get("type", ""))
        scheme = definition.get("scheme")
        if kind == "basic":  # Swagger 2.0
            kind, scheme = "http", "basic"
        schemes[str(name)] = SecurityScheme(
            name=str(name),
            type=kind,
            scheme=str(scheme).lower() if scheme else None,
            location=definition.get("in"),
            parameter_name=definition.get("name"),
            token_url=_password_token_url(definition),
        )
    return schemes


def _password_token_url(definition: JsonObject) -> str | None:
    """The tokenUrl of an OAuth2 password flow (OpenAPI 3 `flows.password`, Swagger 2 `flow`)."""
    flows = definition.get("flows")
    if isinstance(flows, dict) and isinstance(flows.get("password"), dict):
        url = flows["password"].get("tokenUrl")
        return url if isinstance(url, str) and url else None
    if definition.get("flow") == "password" and isinstance(definition.get("tokenUrl"), str):
        return str(definition["tokenUrl"]) or None
    return None


def _servers_list(raw: Any) -> tuple[str, ...]:
    """Server URLs with their variables set to the defaults."""
    urls = []
    for server in _list(raw):
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        for name, variable in (server.get("variables") or {}).items():
            if isinstance(variable, dict) and "default" in variable:
                url = url.replace("{" + str(name) + "}", str(variable["default"]))
        urls.append(url)
    return tuple(urls)


def _servers(document: JsonObject, swagger2: bool) -> tuple[str, ...]:
    if not swagger2:
        return _servers_list(document.get("servers"))
    host = document.get("host")
    base = str(document.get("basePath") or "")
    if not host:
        return (base,) if base else ()
    return tuple(f"{s}://{host}{base}" for s in _strings(document.get("schemes")) or ["https"])


