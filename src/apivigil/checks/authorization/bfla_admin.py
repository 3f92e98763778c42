"""BFLA: can an identity without the admin role call an administrative operation?

Broken function-level authorization (OWASP API5:2023) is the admin endpoint that checks that
the caller is logged in but not that the caller is an admin. The check needs identities with
role tags: `--identity NAME:role=ROLE=USER:PASSWORD` (or `NAME:role=ROLE='Header: value'`).

- An operation is administrative when a path segment is `admin`, `internal`, `management`...,
  a spec tag is one of those words, the spec marks it `x-admin: true` (or `x-admin-only`,
  `x-internal`), or it names its roles in `x-roles` / `x-required-roles` / `x-role`.
- The roles allowed to call it are the ones its `x-roles` names, else the admin roles
  (admin, administrator, superuser, root, superadmin, owner, plus the `admin_roles` setting).
- An identity is *not* allowed when its role tag is another role; an untagged identity counts
  as not allowed only when some other identity is tagged with an allowed role.

For each administrative GET with a concrete path (at most 8): an anonymous request must be
refused (otherwise the endpoint is public and not this check's business); then each identity
that is not allowed calls it. A 2xx is a finding (`bfla.admin-function-allowed`, high): high
confidence when an allowed identity gets a response of the same shape, medium without one.
With `--allow-unsafe-methods`, administrative POST and PATCH operations (and DELETE only with
`--allow-delete`; PUT never, as `{}` could blank an object) with concrete paths are sent once
as a non-allowed identity, with an empty JSON object as body; a 2xx there means the action ran.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.authorization.objects import (
    admin_roles,
    both_exchanges,
    fetch,
    json_body,
    looks_administrative,
    ok,
    roles_named,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext, Setting
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

MAX_OPERATIONS = 8
UNSAFE = ("POST", "PATCH", "DELETE")  # never PUT {}: it could blank a whole object

REMEDIATION = Remediation(
    summary=(
        "Check the caller's role on every administrative operation, in one place that "
        "denies by default, and answer 403 to authenticated callers without the role: keep "
        "admin routes together (a Flask blueprint, a FastAPI router) and check the role once "
        "for all of them (`before_request`, a router dependency), reading it from the user "
        "store, never from the request."
    ),
    examples=examples("admin-role"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
        "https://cwe.mitre.org/data/definitions/285.html",
    ),
)


class AdminFunctionAccess(Check):
    meta = CheckMeta(
        id="bfla.admin-function",
        title="Administrative operation callable without the admin role",
        category=Category.BFLA,
        cwe=(285, 862),
        owasp=(Owasp.API5,),
        severity=Severity.HIGH,
        sends="GET of up to 8 administrative operations anonymously and as each identity; "
        "with --allow-unsafe-methods also their POST/PATCH (DELETE with --allow-delete) "
        "once as a non-admin identity, body {}",
        settings=(Setting(
            "admin_roles", "names", (),
            "role names (besides admin, root, superuser...) that may call admin operations",
        ),),
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if not ctx.identities:
            return ctx.credentials_withheld_reason or (
                "needs identities with roles (--identity NAME:role=ROLE=USER:PASSWORD)")
        if all(i.role is None for i in ctx.identities):
            return ("needs an identity with a role tag, e.g. --identity alice:role=user="
                    "USER:PASSWORD (and ideally an admin: --identity root:role=admin=...)")
        return None

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for endpoint, why in self._operations(ctx):
            allowed = roles_named(endpoint.operation) or admin_roles(ctx)
            admins = [i for i in ctx.identities if i.role and i.role.lower() in allowed]
            denied = [i for i in ctx.identities
                      if (i.role.lower() not in allowed if i.role else bool(admins))]
            if not denied:
                continue
            if endpoint.method == "GET":
                found = self._try_get(ctx, endpoint, why, denied, admins[:1])
            else:
                found = self._try_unsafe(ctx, endpoint, why, denied[0])
            if found is not None:
                yield found

    def _operations(self, ctx: ScanContext) -> list[tuple[Endpoint, str]]:
        chosen: list[tuple[Endpoint, str]] = []
        for endpoint in ctx.target.concrete_endpoints():
            why = looks_administrative(endpoint.path, endpoint.operation)
            if why is None or not self._may_send(ctx, endpoint.method):
                continue
            chosen.append((endpoint, why))
        chosen.sort(key=lambda item: (item[0].method != "GET", item[0].path))
        return chosen[:MAX_OPERATIONS]

    @staticmethod
    def _may_send(ctx: ScanContext, method: str) -> bool:
        if method == "GET":
            return True
        if method == "DELETE":
            return ctx.options.allow_delete and ctx.options.allow_unsafe_methods
        return method in UNSAFE and ctx.options.allow_unsafe_methods

    def _try_get(
        self,
        ctx: ScanContext,
        endpoint: Endpoint,
        why: str,
        denied: list[Identity],
        admins: list[Identity],
    ) -> Finding | None:
        if ok(fetch(ctx, None, endpoint.url)):
            return None  # public by design, or the authentication checks' business
        for identity in denied[:2]:
            response = fetch(ctx, identity, endpoint.url)
            if response is None or not ok(response):
                continue
            reference = fetch(ctx, admins[0], endpoint.url) if admins else None
            if admins and not ok(reference):
                continue  # even the admin is refused: nothing to compare with
            same_shape = reference is not None and _same_shape(reference, response)
            data: dict[str, str] = {"caller_identity": identity.name,
                                    "caller_role": identity.role or "(none)"}
            if reference is not None:
                data["admin_identity"] = admins[0].name
                data["admin_exchange"] = both_exchanges(f"as '{admins[0].name}':",
                                                        reference.exchange)
            return self._finding(endpoint, why, identity, response, data,
                                 Confidence.HIGH if same_shape else Confidence.MEDIUM)
        return None

    def _try_unsafe(
        self, ctx: ScanContext, endpoint: Endpoint, why: str, identity: Identity
    ) -> Finding | None:
        headers = ctx.identity_headers(identity)
        headers["Content-Type"] = "application/json"
        try:
            response = ctx.http.request(endpoint.method, endpoint.url, headers=headers,
                                        content=b"{}", use_extra_headers=False)
        except BudgetExhaustedError:
            raise
        except ProbeError:
            return None
        if not ok(response):
            return None
        return self._finding(endpoint, why, identity, response,
                             {"caller_identity": identity.name,
                              "caller_role": identity.role or "(none)"}, Confidence.MEDIUM)

    def _finding(
        self,
        endpoint: Endpoint,
        why: str,
        identity: Identity,
        response: ProbeResponse,
        data: dict[str, str],
        confidence: Confidence,
    ) -> Finding:
        role = f"role '{identity.role}'" if identity.role else "no admin role"
        return self.finding(
            "admin-function-allowed",
            "Administrative operation allowed to a non-admin identity",
            severity=Severity.HIGH,
            confidence=confidence,
            description=(
                f"{endpoint.method} {endpoint.path} looks administrative ({why}) and refuses "
                f"anonymous callers, but identity '{identity.name}' ({role}) got "
                f"{response.status}: the operation checks authentication, not the role."
            ),
            remediation=REMEDIATION,
            exchange=response.exchange,
            path=endpoint.path,
            data=data,
        )


def _same_shape(first: ProbeResponse, second: ProbeResponse) -> bool:
    """The same body, or JSON with mostly the same top-level keys: the same function ran."""
    if first.body == second.body:
        return True
    a, b = json_body(first), json_body(second)
    if isinstance(a, dict) and isinstance(b, dict) and a:
        return len(a.keys() & b.keys()) / len(a) >= 0.5
    return isinstance(a, list) and isinstance(b, list)

