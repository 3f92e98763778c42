"""BFLA by method: does a read-only resource accept a write the spec never offers?

A resource the spec exposes with GET only is read-only for its callers; a route that also
answers PATCH or DELETE, and lets a regular user through, is an unprotected function (OWASP
API5:2023): the classic is `DELETE /api/products/1` working for any logged-in user. The check
is intrusive (`--allow-unsafe-methods`) and needs a spec (`--spec`) to know what is declared.

For up to 8 spec GET operations whose path declares no PUT, PATCH or DELETE — concrete paths,
and `<collection>/{param}` templates filled with the first id of the collection's listing — it
sends, as the first identity without an admin role (else the primary):

- `PATCH` with the body `{}` (changes no field on any sane implementation); a 2xx is
  `bfla.undeclared-write-method`, medium severity;
- `DELETE` only with `--allow-delete` as well; a 2xx is the same rule, high severity. It deletes
  a real object: use it against test environments only.

Any other answer (405, 404, 401, 403, 4xx for the body) is silent: only a write accepted from a
regular identity counts. It runs after the read-only checks (phase 5).
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.authorization.bfla_admin import REMEDIATION as ROLE_REMEDIATION
from apivigil.checks.authorization.objects import (
    WRITE_PHASE,
    fetch,
    json_body,
    least_privileged,
    listed_objects,
    object_id,
    object_route,
    ok,
    url_for,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.core.models import Category, Confidence, Finding, Owasp, Remediation, Severity

MAX_RESOURCES = 8
WRITES = frozenset({"PUT", "PATCH", "DELETE"})

REMEDIATION = Remediation(
    summary=(
        "Register only the methods a resource offers, and put a role check on every write. "
        "Flask and FastAPI answer 405 by themselves to methods a route does not list; a route "
        "that takes `methods=['GET', 'PATCH', 'DELETE']` needs a role check on the writes."
    ),
    examples=ROLE_REMEDIATION.examples,
    references=ROLE_REMEDIATION.references,
)


class UndeclaredWriteMethod(Check):
    meta = CheckMeta(
        id="bfla.unsafe-method",
        title="Write method accepted on a read-only resource",
        category=Category.BFLA,
        cwe=(285, 749),
        owasp=(Owasp.API5,),
        severity=Severity.HIGH,
        sends="PATCH {} to up to 8 resources the spec declares GET-only (and DELETE with "
        "--allow-delete), as a non-admin identity",
        intrusive=True,
        needs_spec=True,
        phase=WRITE_PHASE,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        reason = super().applies_to(ctx)
        if reason is None and not ctx.identities:
            return ctx.credentials_withheld_reason or (
                "needs an identity (-u USER:PASSWORD or --identity NAME:role=user=USER:PASS)")
        return reason

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        identity = least_privileged(ctx)
        assert identity is not None
        methods = ["PATCH"] + (["DELETE"] if ctx.options.allow_delete else [])
        for url, path in self._resources(ctx, identity):
            for method in methods:
                found = self._try(ctx, identity, method, url, path)
                if found is not None:
                    yield found
                    break

    def _resources(self, ctx: ScanContext, identity: Identity) -> list[tuple[str, str]]:
        assert ctx.spec is not None
        declared: dict[str, set[str]] = {}
        for op in ctx.spec.operations:
            declared.setdefault(op.path, set()).add(op.method)
        chosen: list[tuple[str, str]] = []
        for path, methods in sorted(declared.items()):
            if "GET" not in methods or methods & WRITES:
                continue
            if "{" not in path:
                chosen.append((url_for(ctx, path), path))
                continue
            filled = self._fill(ctx, identity, path)
            if filled is not None:
                chosen.append((filled, path))
        return chosen[:MAX_RESOURCES]

    @staticmethod
    def _fill(ctx: ScanContext, identity: Identity, template: str) -> str | None:
        """`<collection>/{param}` with the first id the identity's listing shows."""
        parent, _, last = template.rstrip("/").rpartition("/")
        if not (last.startswith("{") and last.endswith("}")) or "{" in parent:
            return None
        collection = Endpoint("GET", url_for(ctx, parent), parent)
        listing = listed_objects(json_body(fetch(ctx, identity, collection.url)))
        oid = object_id(listing[0]) if listing else None
        if oid is None:
            return None
        route = object_route(ctx, collection, oid)
        return route.url if route.template == template else None

    def _try(
        self, ctx: ScanContext, identity: Identity, method: str, url: str, path: str
    ) -> Finding | None:
        headers = ctx.identity_headers(identity)
        content = None
        if method == "PATCH":
            headers["Content-Type"] = "application/json"
            content = b"{}"
        try:
            response = ctx.http.request(method, url, headers=headers, content=content,
                                        use_extra_headers=False)
        except BudgetExhaustedError:
            raise
        except ProbeError:
            return None
        if not ok(response):
            return None
        role = f"role '{identity.role}'" if identity.role else "no role tag"
        return self.finding(
            "undeclared-write-method",
            f"{method} accepted on a resource the spec declares read-only",
            severity=Severity.HIGH if method == "DELETE" else Severity.MEDIUM,
            confidence=Confidence.HIGH if method == "DELETE" else Confidence.MEDIUM,
            description=(
                f"The spec offers only GET on {path}, but {method} answered {response.status} "
                f"to identity '{identity.name}' ({role}): a write function that is neither "
                "documented nor restricted to a role."
            ),
            remediation=REMEDIATION,
            exchange=response.exchange,
            method=method,
            path=path,
            data={"caller_identity": identity.name},
        )
