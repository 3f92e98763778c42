"""`$ref` resolution: local, relative files and URLs, recursive and circular references.

Lookups go through `referencing` (the library jsonschema uses), with the documents treated as
opaque JSON so JSON pointers and relative URIs work the same in OpenAPI 2.0, 3.0 and 3.1.
References are inlined once each (memoised by absolute URI, so a schema used a thousand times
is resolved once and shared); a reference met again while it is being resolved is circular and
is left as a marked `$ref`, so a recursive schema can neither hang nor explode. Literal example
values are not walked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

from referencing import Registry, Resource, Specification
from referencing.exceptions import NoSuchResource, Unresolvable

from apivigil.core.errors import SpecError
from apivigil.spec.model import CIRCULAR

Fetch = Callable[[str], str]
MAX_DOCUMENTS = 50  # external files one spec may pull in
_LITERAL_KEYS = frozenset({"example", "default", "const", "enum"})
# Maps whose keys are names, not keywords: a property called "default" is still a schema.
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "schemas",
                        "responses", "parameters", "headers", "requestBodies", "links",
                        "callbacks", "pathItems", "paths", "webhooks", "dependentSchemas",
                        "securitySchemes", "content", "encoding"})


class RefInliner:
    """Inline every `$ref` reachable from the nodes given to `inline`."""

    def __init__(
        self,
        document: Any,
        base_uri: str,
        parse: Callable[[str, str], Any],
        fetch: Fetch | None = None,
    ) -> None:
        self.base_uri = urldefrag(base_uri).url
        self._parse = parse
        self._fetch = fetch
        self._retrieved: dict[str, Resource[Any]] = {}
        registry: Registry[Any] = Registry(retrieve=self._retrieve).with_resource(  # type: ignore[call-arg]
            self.base_uri, Specification.OPAQUE.create_resource(document))
        self._registry = registry
        self._memo: dict[str, Any] = {}
        self._active: set[str] = set()
        self.circular: set[str] = set()

    def inline(self, node: Any, base: str | None = None) -> Any:
        """A copy of `node` with references replaced by their (inlined) targets."""
        try:
            return self._walk(node, base or self.base_uri)
        except RecursionError:
            raise SpecError("spec is nested too deeply to resolve") from None

    def _walk(self, node: Any, base: str, names: bool = False) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not names:
                target = self._ref(ref, base)
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                if siblings and isinstance(target, dict) and CIRCULAR not in target:
                    # OpenAPI 3.1 allows keywords next to $ref; they add to the target.
                    return {**target, **{k: self._walk(v, base) for k, v in siblings.items()}}
                return target
            out: dict[str, Any] = {}
            for key, value in node.items():
                if names:
                    out[key] = self._walk(value, base)
                elif key in _LITERAL_KEYS:
                    out[key] = value
                elif key == "examples":
                    out[key] = self._examples(value, base)
                else:
                    out[key] = self._walk(value, base, key in _NAME_MAPS)
            return out
        if isinstance(node, list):
            return [self._walk(item, base) for item in node]
        return node

    def _examples(self, value: Any, base: str) -> Any:
        """Example objects may be references themselves; their values are literal data."""
        if isinstance(value, dict):
            return {k: self._ref(v["$ref"], base) if isinstance(v, dict)
                    and isinstance(v.get("$ref"), str) else v for k, v in value.items()}
        return value

    def _ref(self, ref: str, base: str) -> Any:
        uri = urljoin(base, ref)
        if uri in self._memo:
            return self._memo[uri]
        if uri in self._active:
            self.circular.add(uri)
            return {"$ref": uri, CIRCULAR: True}
        self._active.add(uri)
        try:
            try:
                resolved = self._registry.resolver(base_uri=base).lookup(ref)
            except (Unresolvable, NoSuchResource) as exc:
                raise SpecError(f"unresolvable reference {ref!r} in {_show(base)}: "
                                f"{_reason(exc)}") from None
            value = self._walk(resolved.contents, urldefrag(uri).url)
        finally:
            self._active.discard(uri)
        self._memo[uri] = value
        return value

    def _retrieve(self, uri: str) -> Resource[Any]:
        if uri in self._retrieved:
            return self._retrieved[uri]
        if len(self._retrieved) >= MAX_DOCUMENTS:
            raise SpecError(f"spec references more than {MAX_DOCUMENTS} documents")
        scheme = urlsplit(uri).scheme
        if scheme == "file":
            text = read_text_file(url2pathname(urlsplit(uri).path))
        elif scheme in ("http", "https") and self._fetch is not None:
            text = self._fetch(uri)
        else:
            raise SpecError(f"cannot follow a reference to {uri}")
        resource: Resource[Any] = Specification.OPAQUE.create_resource(self._parse(text, uri))
        self._retrieved[uri] = resource
        return resource


def read_text_file(path: str, limit: int = 20 * 1024 * 1024) -> str:
    """A spec file's text, with a size cap and a clear error for anything unreadable."""
    file = Path(path)
    try:
        if file.stat().st_size > limit:
            raise SpecError(f"spec {path} is larger than {limit // 2**20} MiB")
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {path}") from None
    except IsADirectoryError:
        raise SpecError(f"spec {path} is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read spec {path}: {exc}") from None


def file_uri(path: str) -> str:
    return Path(path).resolve().as_uri()


def _show(uri: str) -> str:
    return url2pathname(urlsplit(uri).path) if uri.startswith("file:") else uri


def _reason(exc: Exception) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, SpecError):
            return str(cause)
        cause = cause.__cause__
    return "no such document or pointer" if "PointerToNowhere" not in type(exc).__name__ \
        else "the pointer matches nothing"
