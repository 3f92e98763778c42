"""BOLA with two identities: can one user read another user's object by its id?

Broken object-level authorization (OWASP API1:2023) is the API that looks an object up by the
id in the URL and never asks whether the caller may see it. A single identity cannot prove it;
two can. This check needs at least two identities (`--identity NAME=USER:PASSWORD`, repeatable,
or `-u` plus one `--identity`); the first is the primary, whose objects are tried. Choose
identities that must not see each other's objects (two users of different tenants, with
nothing shared): an object shared with the other identity on purpose would be reported.

How it decides, so that it stays silent on a well-built API:

1. For each concrete GET endpoint (the spec's, or the URL given) it lists objects with keys
   as the primary identity, and the same listing as each other identity. The key is the path
   parameter of the collection's item route (`GET /books/{title}`: the `title` field), so
   objects keyed by a name, title, slug, UUID or number are compared alike; `id`, `uuid` and
   `_id` otherwise.
2. An object the primary's listing shows and the other identity's does not is, by the API's
   own account, the primary's and not the other's. Objects that name the other identity's user
   name in an owner field (`owner`, `username`, `user`, ...) are left out.
3. The object's URL is the spec's `GET <collection>/{param}` template filled with the id, or
   `<collection URL>/<id>`. The primary must read it (2xx, same id), and an anonymous request
   must be refused: an object anyone may read is public, not a BOLA.
4. The other identity requests it. A 2xx carrying the same record (same id, 80% of the fields
   equal) is a finding (`bola.cross-identity-read`, high severity), with the other identity's
   exchange as evidence and the primary's in `evidence.data.owner_exchange`. Confidence is high
   when the other identity's listing was readable and lacked the object, or the object names
   the primary's user name as owner; medium otherwise.

5. Spec templates with one path parameter that has an `example` (at most 3) are tried too:
   the example object must name the primary's user name in an owner field and not the other
   identity's; then the same anonymous and other-identity requests decide (medium confidence).

It sends only GETs: per collection one listing per identity, and per tried object (at most 3
per collection and identity pair) one request as the primary, one anonymous and one as the
other identity. Write access to others' objects is not tried.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.authorization.objects import (
    ObjectRoute,
    belongs_to,
    both_exchanges,
    collections,
    example_routes,
    fetch,
    foreign_objects,
    item_keys,
    json_body,
    listed_objects,
    object_id,
    ok,
    same_object,
    unwrap,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
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

MAX_OBJECTS = 3  # per collection and pair of identities

REMEDIATION = Remediation(
    summary=(
        "Authorize every object access: look the object up by its id AND the caller's identity "
        "(or check its owner after loading it), and answer 404 when it is not theirs. Do it in "
        "one place (a query helper, a decorator or a dependency), not in each view."
    ),
    examples=examples("object-ownership"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/639.html",
    ),
)


class CrossIdentityObjectAccess(Check):
    meta = CheckMeta(
        id="bola.cross-identity",
        title="Another identity can read the primary identity's objects",
        category=Category.BOLA,
        cwe=(639, 285),
        owasp=(Owasp.API1,),
        severity=Severity.HIGH,
        sends="GETs only: listings as each identity, then up to 3 objects per listing as the "
        "primary identity, anonymously and as the other identity",
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if len(ctx.identities) < 2:
            return ctx.credentials_withheld_reason or (
                "needs two identities (--identity NAME=USER:PASSWORD, repeatable)")
        return None

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        primary, others = ctx.identities[0], ctx.identities[1:3]
        flagged: set[str] = set()
        for collection in collections(ctx):
            keys = item_keys(ctx, collection)
            listing = listed_objects(json_body(fetch(ctx, primary, collection.url)), keys)
            if not listing:
                continue
            for other in others:
                found = self._try_collection(ctx, collection, listing, primary, other, keys)
                if found is not None:
                    flagged.add(found.path or "")
                    yield found
        for route in example_routes(ctx):
            if route.template in flagged:
                continue
            for other in others:
                found = self._try_example(ctx, route, primary, other)
                if found is not None:
                    yield found
                    break

    def _try_example(
        self, ctx: ScanContext, route: ObjectRoute, primary: Identity, other: Identity
    ) -> Finding | None:
        """A spec example id: tried only when the object names the primary as its owner."""
        as_owner = fetch(ctx, primary, route.url)
        owned = unwrap(json_body(as_owner))
        if as_owner is None or owned is None or not belongs_to(owned, primary):
            return None
        if belongs_to(owned, other) or ok(fetch(ctx, None, route.url)):
            return None
        as_other = fetch(ctx, other, route.url)
        seen = unwrap(json_body(as_other))
        if as_other is None or seen is None or not same_object(owned, seen):
            return None
        return self._finding(route, primary, other, as_owner, as_other,
                             object_id(owned) or "", Confidence.MEDIUM,
                             f"the object names '{primary.username}' as its owner")

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
            as_owner = fetch(ctx, primary, route.url)
            owned = unwrap(json_body(as_owner), keys)
            if as_owner is None or owned is None or object_id(owned, keys) != oid:
                return None  # not an item URL of this collection: stop here
            if ok(fetch(ctx, None, route.url)):
                continue  # public object: anyone may read it
            as_other = fetch(ctx, other, route.url)
            seen = unwrap(json_body(as_other), keys)
            if as_other is None or seen is None or not same_object(owned, seen, keys):
                continue
            strong = compared or belongs_to(owned, primary)
            why = f"the listing at GET {collection.path} as '{primary.name}' shows it"
            if compared:
                why += f" and the same listing as '{other.name}' does not"
            return self._finding(route, primary, other, as_owner, as_other, oid,
                                 Confidence.HIGH if strong else Confidence.MEDIUM, why)
        return None

    def _finding(
        self,
        route: ObjectRoute,
        primary: Identity,
        other: Identity,
        as_owner: ProbeResponse,
        as_other: ProbeResponse,
        oid: str,
        confidence: Confidence,
        why: str,
    ) -> Finding:
        return self.finding(
            "cross-identity-read",
            "Another user's object is readable by id",
            severity=Severity.HIGH,
            confidence=confidence,
            description=(
                f"Object {oid} belongs to identity '{primary.name}' ({why}), and anonymous "
                f"requests for it are refused; yet identity '{other.name}' read it at GET "
                f"{route.template} with status {as_other.status}: the API does not check who "
                "owns the object."
            ),
            summary=(
                f"GET {route.template} ({route.parameter}={oid}) as '{primary.name}' (owner) "
                f"answered {as_owner.status}; the same request as '{other.name}' answered "
                f"{as_other.status} with the same record."
            ),
            remediation=REMEDIATION,
            exchange=as_other.exchange,
            path=route.template,
            parameter=route.parameter,
            data={
                "owner_identity": primary.name,
                "reader_identity": other.name,
                "object_id": oid,
                "owner_exchange": both_exchanges(f"as '{primary.name}':", as_owner.exchange),
            },
        )
