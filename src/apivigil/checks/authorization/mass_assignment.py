"""Mass assignment: does a create or update copy properties the client must not set?

The Flask view that does `note.update(request.json)` or `Model(**request.json)` lets a caller
set `role`, `is_admin` or `owner_id` on what it creates (OWASP API3:2023, CWE-915). This check
is intrusive: it creates objects, so it runs only with `--allow-unsafe-methods`, and it needs a
spec (`--spec`) whose POST, PUT or PATCH operations describe a JSON request body.

For each such operation whose path has no parameter (at most 3; an update of an existing
object, maybe someone else's, is never sent), as the first identity without an
admin role (else the primary; anonymously when there is none), it sends one valid body built
from the schema (examples, defaults, the first enum value, or a placeholder by type) plus the
properties `role: "admin"`, `is_admin: true` and `owner_id: 4242424` that the schema does not
declare writable (a property the schema marks readOnly is still sent). When the response, or
a GET of the created object (the spec's `GET <path>/{param}` with the returned id), carries one
of them with the value sent, it stuck: `property_authorization.mass-assignment`, high. An API
that ignores or rejects (4xx) unknown fields is silent. With `--allow-delete` the created
object is deleted again when the spec has a DELETE for it. It runs after the read-only checks
(phase 5), so what it creates never shows up in their listings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from apivigil.checks.authorization.objects import (
    WRITE_PHASE,
    both_exchanges,
    json_body,
    json_schema_of,
    least_privileged,
    object_id,
    object_route,
    ok,
    unwrap,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

MAX_OPERATIONS = 3
EXTRAS: dict[str, Any] = {"role": "admin", "is_admin": True, "owner_id": 4242424}
_PLACEHOLDERS: dict[str, Any] = {"string": "apivigil-probe", "integer": 1, "number": 1,
                                 "boolean": False, "array": [], "object": {}}

REMEDIATION = Remediation(
    summary=(
        "Bind request bodies to an explicit input schema that lists the fields a client may "
        "set and rejects the rest; set role, ownership and flags on the server from the "
        "authenticated user, never from the body."
    ),
    examples=examples("allowed-fields"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/915.html",
    ),
)


class MassAssignment(Check):
    meta = CheckMeta(
        id="property_authorization.mass-assignment",
        title="Mass assignment of privileged properties",
        category=Category.PROPERTY_AUTHORIZATION,
        cwe=(915,),
        owasp=(Owasp.API3,),
        severity=Severity.HIGH,
        sends="one POST/PUT/PATCH per spec operation without path parameters that takes a JSON "
        "body (at most 3), with extra "
        "properties role, is_admin, owner_id, then a GET of what it created (and a DELETE of "
        "it with --allow-delete)",
        intrusive=True,
        needs_spec=True,
        phase=WRITE_PHASE,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        identity = least_privileged(ctx)
        for endpoint, schema in self._operations(ctx):
            extras = _extras(schema)
            if not extras:
                continue
            body = {**_valid_body(schema), **extras}
            headers = ctx.identity_headers(identity) if identity else {}
            headers["Content-Type"] = "application/json"
            try:
                sent = ctx.http.request(endpoint.method, endpoint.url, headers=headers,
                                        content=json.dumps(body), use_extra_headers=False)
            except BudgetExhaustedError:
                raise
            except ProbeError:
                continue
            if not ok(sent):
                continue  # refused or rejected: unknown fields did not get in
            created = unwrap(json_body(sent))
            stuck, read_back = _stuck(created, extras), None
            oid = object_id(created)
            route = object_route(ctx, endpoint, oid) if oid and endpoint.method == "POST" else None
            if not stuck and route is not None and route.operation is not None:
                read_back = _get(ctx, route.url, headers)
                stuck = _stuck(unwrap(json_body(read_back)), extras)
            if route is not None and route.operation is not None:
                _clean_up(ctx, route.template, route.url, headers)
            if stuck:
                yield self._finding(endpoint, identity, sent, read_back, stuck)

    def _operations(self, ctx: ScanContext) -> list[tuple[Endpoint, dict[str, Any]]]:
        chosen = []
        for endpoint in ctx.target.concrete_endpoints():
            if endpoint.method not in ("POST", "PUT", "PATCH") or endpoint.operation is None:
                continue
            if "{" in endpoint.path:
                continue  # an existing object, maybe someone else's: only creates are sent
            schema = json_schema_of(ctx, endpoint.operation.request_body)
            if isinstance(schema.get("properties"), dict):
                chosen.append((endpoint, schema))
        return chosen[:MAX_OPERATIONS]

    def _finding(
        self,
        endpoint: Endpoint,
        identity: Identity | None,
        sent: ProbeResponse,
        read_back: ProbeResponse | None,
        stuck: list[str],
    ) -> Finding:
        who = f"identity '{identity.name}'" if identity else "an anonymous caller"
        data: dict[str, str | list[str]] = {"assigned": stuck,
                                            "caller_identity": identity.name if identity
                                            else "(anonymous)"}
        if read_back is not None:
            data["read_back_exchange"] = both_exchanges("read back:", read_back.exchange)
        return self.finding(
            "mass-assignment",
            "Request body can set privileged properties",
            severity=Severity.HIGH,
            description=(
                f"{endpoint.method} {endpoint.path} accepted properties its request schema "
                f"does not declare writable, and {', '.join(stuck)} kept the values "
                f"{who} sent ({', '.join(f'{k}={EXTRAS[k]!r}' for k in stuck)}): a client "
                "can give itself a role, admin rights or another owner."
            ),
            remediation=REMEDIATION,
            exchange=sent.exchange,
            path=endpoint.path,
            parameter=",".join(stuck),
            data=data,
        )


def _extras(schema: dict[str, Any]) -> dict[str, Any]:
    """The privileged properties the schema does not let a client write."""
    properties = schema.get("properties") or {}
    writable = {name for name, prop in properties.items()
                if not (isinstance(prop, dict) and prop.get("readOnly"))}
    return {k: v for k, v in EXTRAS.items() if k not in writable}


def _valid_body(schema: dict[str, Any]) -> dict[str, Any]:
    """A body the schema accepts: required properties (or all, when none is required)."""
    properties: dict[str, Any] = schema.get("properties") or {}
    names = [n for n in schema.get("required") or () if n in properties] or list(properties)
    body: dict[str, Any] = {}
    for name in names[:20]:
        prop = properties[name] if isinstance(properties[name], dict) else {}
        if prop.get("readOnly"):
            continue
        if "example" in prop:
            body[name] = prop["example"]
        elif "default" in prop:
            body[name] = prop["default"]
        elif prop.get("enum"):
            body[name] = prop["enum"][0]
        elif prop.get("format") == "email":
            body[name] = "apivigil-probe@example.invalid"
        else:
            body[name] = _PLACEHOLDERS.get(str(prop.get("type")), "apivigil-probe")
    return body


def _stuck(obj: dict[str, Any] | None, extras: dict[str, Any]) -> list[str]:
    if obj is None:
        return []
    return sorted(k for k, v in extras.items()
                  if k in obj and obj[k] == v and type(obj[k]) is type(v))


def _get(ctx: ScanContext, url: str, headers: dict[str, str]) -> ProbeResponse | None:
    get_headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    try:
        return ctx.http.get(url, headers=get_headers, use_extra_headers=False)
    except BudgetExhaustedError:
        raise
    except ProbeError:
        return None


def _clean_up(ctx: ScanContext, template: str, url: str, headers: dict[str, str]) -> None:
    """Delete what the probe created, when DELETE is allowed and the spec declares it."""
    if not (ctx.options.allow_delete and ctx.spec):
        return
    if not any(op.method == "DELETE" and op.path == template for op in ctx.spec.operations):
        return
    try:
        ctx.http.request("DELETE", url, headers=headers, use_extra_headers=False)
    except BudgetExhaustedError:
        raise
    except ProbeError:
        return
