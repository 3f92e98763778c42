"""BOLA on writes: can one identity change another identity's object by its id?

Reading another user's object is bad; changing it is worse (OWASP API1:2023), and an API may
check ownership on GET and forget it on PATCH. This check is intrusive
(`--allow-unsafe-methods`), needs two identities, and finds the primary identity's objects
exactly as `bola.cross-identity` does: in the primary's listing but not in the other's, readable
by the primary, refused to anonymous callers (those GETs are shared, so they are not repeated).

For each such object (at most 2 per listing and identity pair) it sends, as the other identity,
`PATCH` with the body `{}`: a request that changes no field, so even a vulnerable API keeps
its data. It is sent only where PATCH can exist: when the spec declares PATCH on the item
template, or when there is no spec. A 2xx is `bola.cross-identity-write` (high; confidence high
when the other identity's listing lacked the object, medium otherwise). PUT and DELETE are never
sent. It runs after the read-only checks (phase 5).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from apivigil.checks.authorization.bola_cross_identity import REMEDIATION
from apivigil.checks.authorization.objects import (
    WRITE_PHASE,
    ObjectRoute,
    both_exchanges,
    collections,
    fetch,
    foreign_objects,
    item_keys,
    json_body,
    listed_objects,
    object_id,
    ok,
    unwrap,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.core.models import Category, Confidence, Finding, Owasp, Severity
from apivigil.http.client import ProbeResponse

MAX_OBJECTS = 2


class CrossIdentityObjectWrite(Check):
    meta = CheckMeta(
        id="bola.cross-identity-write",
        title="Another identity can change the primary identity's objects",
        category=Category.BOLA,
        cwe=(639, 285),
        owasp=(Owasp.API1,),
        severity=Severity.HIGH,
        sends="PATCH {} (changes nothing) to up to 2 of the primary identity's objects per "
        "listing, as the other identity, after the GETs of bola.cross-identity",
        intrusive=True,
        phase=WRITE_PHASE,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        reason = super().applies_to(ctx)
        if reason is None and len(ctx.identities) < 2:
            return ctx.credentials_withheld_reason or (
                "needs two identities (--identity NAME=USER:PASSWORD, repeatable)")
        return reason

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        primary, others = ctx.identities[0], ctx.identities[1:3]
        for collection in collections(ctx):
            keys = item_keys(ctx, collection)
            listing = listed_objects(json_body(fetch(ctx, primary, collection.url)), keys)
            for other in others if listing else ():
                found = self._try_collection(ctx, collection, listing, primary, other, keys)
                if found is not None:
                    yield found

    def _try_collection(
        self,
        ctx: ScanContext,
        collection: Endpoint,
        listing: list[dict[str, object]],
        primary: Identity,
        other: Identity,
        keys: tuple[str, ...],
    ) -> Finding | None:
        compared, routes = foreign_objects(ctx, collection, listing, other, MAX_OBJECTS, keys)
        for oid, route in routes:
            if not _patch_may_exist(ctx, route):
                return None
            as_owner = fetch(ctx, primary, route.url)
            if as_owner is None or object_id(unwrap(json_body(as_owner), keys), keys) != oid:
                return None  # not an item URL of this collection
            if ok(fetch(ctx, None, route.url)):
                continue  # public object
            patched = self._patch(ctx, other, route.url)
            if patched is None or not ok(patched):
                continue
            return self.finding(
                "cross-identity-write",
                "Another user's object accepts changes by id",
                severity=Severity.HIGH,
                confidence=Confidence.HIGH if compared else Confidence.MEDIUM,
                description=(
                    f"Object {oid} belongs to identity '{primary.name}' (its listing at GET "
                    f"{collection.path} shows it), yet identity '{other.name}' sent PATCH "
                    f"{route.template} and got {patched.status}: the API does not check who "
                    "owns the object before changing it. (The probe's body was {}, so nothing "
                    "was changed.)"
                ),
                remediation=REMEDIATION,
                exchange=patched.exchange,
                path=route.template,
                parameter=route.parameter,
                data={
                    "owner_identity": primary.name,
                    "writer_identity": other.name,
                    "object_id": oid,
                    "owner_exchange": both_exchanges(f"as '{primary.name}':",
                                                     as_owner.exchange),
                },
            )
        return None

    @staticmethod
    def _patch(ctx: ScanContext, identity: Identity, url: str) -> ProbeResponse | None:
        headers = ctx.identity_headers(identity)
        headers["Content-Type"] = "application/json"
        try:
            return ctx.http.request("PATCH", url, headers=headers, content=json.dumps({}),
                                    use_extra_headers=False)
        except BudgetExhaustedError:
            raise
        except ProbeError:
            return None


def _patch_may_exist(ctx: ScanContext, route: ObjectRoute) -> bool:
    """With a spec, only where it declares PATCH on the item template."""
    if ctx.spec is None:
        return True
    return any(op.method == "PATCH" and op.path == route.template for op in ctx.spec.operations)
