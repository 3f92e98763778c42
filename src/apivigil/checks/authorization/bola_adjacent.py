"""BOLA with one identity: are the neighbours of the caller's own ids someone else's objects?

With a single identity (`-u`, or one `--identity`) ownership cannot be compared across users,
but sequential ids can be tried (OWASP API1:2023). For each concrete GET endpoint (at most 4)
whose listing, read as the identity, holds objects with numeric ids:

1. The listing's item URL (the spec's `GET <collection>/{param}`, or `<collection URL>/<id>`)
   must serve one of the caller's own objects (2xx, same id); otherwise nothing is tried.
2. Up to 3 neighbouring ids that the listing does not hold are requested (the next two after
   the largest, the first gap, the one before the smallest), each anonymously first: an object
   anyone may read is public and skipped.
3. A neighbour the identity can read is a finding (`bola.adjacent-object-read`):
   - high severity, medium confidence, when the caller's own objects all name one owner (an
     owner-like field such as `owner` or `user_id`, the caller's user name when known) and
     the neighbour names a different one;
   - low severity, low confidence, when ownership is not visible, unless the listing looks
     paginated (`next`, `page`, `total`, `cursor`... or a Link header), where unlisted objects
     are expected.

With two identities or more this check steps aside for `bola.cross-identity`, which proves
ownership instead of inferring it. It sends GETs only: at most 1 + 3 x 2 per listing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apivigil.checks.authorization.bola_cross_identity import REMEDIATION
from apivigil.checks.authorization.objects import (
    OWNER_KEYS,
    collections,
    fetch,
    json_body,
    listed_objects,
    object_id,
    object_route,
    ok,
    unwrap,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
from apivigil.core.models import Category, Confidence, Finding, Owasp, Severity

MAX_NEIGHBOURS = 3
_PAGINATION = frozenset({"next", "next_page", "page", "pages", "total", "total_count", "count",
                         "offset", "cursor", "next_cursor", "has_more", "limit", "links"})
OWNER_ID_KEYS = ("owner_id", "ownerId", "user_id", "userId", "account_id", "accountId")


class AdjacentObjectAccess(Check):
    meta = CheckMeta(
        id="bola.adjacent-ids",
        title="Objects next to the caller's own ids are readable",
        category=Category.BOLA,
        cwe=(639,),
        owasp=(Owasp.API1,),
        severity=Severity.HIGH,
        sends="GETs only: up to 4 listings as the identity, one own object and up to 3 "
        "neighbouring ids per listing, each anonymously and as the identity",
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if not ctx.identities:
            return ctx.credentials_withheld_reason or (
                "needs an identity (-u USER:PASSWORD or --identity NAME=USER:PASSWORD)")
        if len(ctx.identities) > 1:
            return "several identities given: bola.cross-identity compares them directly"
        return None

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        caller = ctx.identities[0]
        for collection in collections(ctx, limit=4):
            response = fetch(ctx, caller, collection.url)
            body = json_body(response)
            listing = listed_objects(body)
            ids = sorted(int(i) for o in listing if (i := object_id(o)) and i.isdigit())
            if not ids or response is None:
                continue
            paginated = ((isinstance(body, dict) and bool(_PAGINATION & set(body)))
                         or "link" in response.headers)
            found = self._probe(ctx, caller, collection, listing, ids, paginated)
            if found is not None:
                yield found

    def _probe(
        self,
        ctx: ScanContext,
        caller: Identity,
        collection: Endpoint,
        listing: list[dict[str, Any]],
        ids: list[int],
        paginated: bool,
    ) -> Finding | None:
        own = object_route(ctx, collection, str(ids[0]))
        if object_id(unwrap(json_body(fetch(ctx, caller, own.url)))) != str(ids[0]):
            return None  # no item URL for this listing
        owner_key, owner = _common_owner(listing, caller)
        for neighbour in _neighbours(ids)[:MAX_NEIGHBOURS]:
            route = object_route(ctx, collection, str(neighbour))
            if ok(fetch(ctx, None, route.url)):
                continue  # public
            response = fetch(ctx, caller, route.url)
            obj = unwrap(json_body(response))
            if response is None or obj is None or object_id(obj) != str(neighbour):
                continue
            other = obj.get(owner_key) if owner_key else None
            if owner_key and other is not None and other != owner:
                severity, confidence = Severity.HIGH, Confidence.MEDIUM
                why = (f"the caller's own objects all have {owner_key}={owner!r}, this one "
                       f"has {owner_key}={other!r}")
            elif owner_key is None and not paginated:
                severity, confidence = Severity.LOW, Confidence.LOW
                why = ("the caller's listing does not hold it (ownership is not visible, so "
                       "it may be shared by design)")
            else:
                continue
            return self.finding(
                "adjacent-object-read",
                "Object with a neighbouring id readable by another user",
                severity=severity,
                confidence=confidence,
                description=(
                    f"Identity '{caller.name}' lists ids {_span(ids)} at GET {collection.path}; "
                    f"GET {route.template} with {route.parameter}={neighbour} also answered "
                    f"{response.status}, and {why}. Anonymous requests for it are refused. "
                    "Ids are sequential, so every object can be enumerated. Confirm with a "
                    "second identity (--identity)."
                ),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=route.template,
                parameter=route.parameter,
                data={"caller_identity": caller.name, "object_id": str(neighbour)},
            )
        return None


def _common_owner(listing: list[dict[str, Any]], caller: Identity) -> tuple[str | None, Any]:
    """An owner field with one value over all the caller's objects (its user name if known)."""
    for key in (*OWNER_KEYS, *OWNER_ID_KEYS):
        values = {repr(o.get(key)) for o in listing}
        first = listing[0].get(key)
        if len(values) != 1 or first is None or isinstance(first, dict | list):
            continue
        if key in OWNER_KEYS and caller.username and first != caller.username:
            continue
        return key, first
    return None, None


def _neighbours(ids: list[int]) -> list[int]:
    listed = set(ids)
    candidates = [ids[-1] + 1, ids[-1] + 2]
    gaps = [i for i in range(ids[0] + 1, min(ids[-1], ids[0] + 1000)) if i not in listed]
    candidates += gaps[:1]
    if ids[0] > 1:
        candidates.append(ids[0] - 1)
    return [c for c in dict.fromkeys(candidates) if c not in listed]


def _span(ids: list[int]) -> str:
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}..{ids[-1]}"
