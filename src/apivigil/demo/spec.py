"""The demo API's OpenAPI 3.0 document, built with the live URLs of the running servers."""

from __future__ import annotations

from typing import Any

_BASIC: list[dict[str, list[str]]] = [{"basicAuth": []}]


def _operation(summary: str, secured: bool, schema: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK",
                "content": {"application/json": {"schema": schema}}},
    }
    if secured:
        responses["401"] = {"description": "Missing or invalid credentials"}
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if not secured:
        op["security"] = []
    return op


def openapi_document(*, hardened: bool, urls: dict[str, str]) -> dict[str, Any]:
    """The vulnerable API also lists its cleartext server; the hardened one only HTTPS."""
    servers = [{"url": urls["https"], "description": "TLS"}]
    if not hardened:
        servers.append({"url": urls["http"], "description": "cleartext"})
    obj = {"type": "object"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "apivigil demo API", "version": "1.0.0"},
        "servers": servers,
        "security": _BASIC,
        "components": {"securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}}},
        "paths": {
            "/": {"get": _operation("Service index", False, obj)},
            "/api/login": {"get": _operation("Check credentials", True, obj)},
            "/api/secure": {"get": _operation("Protected data", True, obj)},
            "/api/whoami": {"get": _operation("The caller's identity", True, obj)},
            "/api/reports": {"get": _operation("The caller's reports", True, obj)},
            "/api/reports/{id}": {"get": {
                **_operation("One of the caller's reports", True, obj),
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer"}, "example": 1}],
            }},
        },
    }
