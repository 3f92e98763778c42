"""GETs that change state: after calling one, what other GETs return is different.

HTTP promises that GET is safe: crawlers, link previews, prefetching browsers and every `<img>`
tag on a hostile page may send it. A GET that re-creates the database, resets a counter or
deletes something hands that power to all of them, and an anonymous one to anyone (CWE-650).

GETs whose path or operationId says they act (`/createdb`, `/reset`, `/seed`, `/logout`...; see
`checks.target.looks_like_action`) are held back from every other check, so they never
disturb the scan, and come here, after the read-only checks:

1. Up to 6 readable answers of the shared observation are watched (listings first). Each is
   fetched again just before the call: one whose answer already moved on its own is dropped.
2. The action GET is called once, anonymously (never as an identity: a `/logout` would end
   the scan's own sessions).
3. The watched answers are fetched again. One that now differs proves the call changed state:
   `input_validation.state-changing-get`, high when anonymous callers may do it (they just
   did), with the call as evidence and the before/after of what changed.

An action GET that is refused (401/403), or after which nothing watched changed, is not
reported; when no watched answer is stable, it is not called and the scan says it was not
tested; `--exclude 'GET /path'` keeps one out entirely.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import mark_inconclusive
from apivigil.checks.observation import Observed, observe
from apivigil.checks.target import Endpoint
from apivigil.core.errors import ProbeError
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

MAX_WATCHED = 6
PHASE = 18  # after the read-only checks and authentication probes, before throttling probes

REMEDIATION = Remediation(
    summary="Make every state change a POST, PUT, PATCH or DELETE behind authentication and "
    "an administrative role (with CSRF protection for cookie sessions); keep GET read-only.",
    examples=examples("state-changing-post"),
    references=("https://cwe.mitre.org/data/definitions/650.html",
                "https://www.rfc-editor.org/rfc/rfc9110#section-9.2.1"),
)


class StateChangingGet(Check):
    meta = CheckMeta(
        id="input_validation.state-changing-get",
        title="A GET changes the API's state",
        category=Category.INPUT_VALIDATION,
        cwe=(650,),
        owasp=(Owasp.API8, Owasp.API5),
        severity=Severity.HIGH,
        sends="each GET whose name says it acts (reset, create, seed...) once, anonymously, "
        "with up to 6 watched GETs fetched before and after it",
        phase=PHASE,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if not ctx.target.action_endpoints():
            return "no GET operation whose name says it acts (reset, create, seed, delete...)"
        return super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        watched = _watchable(observe(ctx).seen)
        for action in ctx.target.action_endpoints():
            finding = self._try(ctx, action, watched)
            if finding is not None:
                yield finding

    def _try(self, ctx: ScanContext, action: Endpoint,
             watched: list[Observed]) -> Finding | None:
        before: list[tuple[Observed, ProbeResponse]] = []
        for item in watched:
            again = _refetch(ctx, item)
            if again is not None and _same(again, item.response):
                before.append((item, again))
        if not before:  # nothing stable to compare: calling it could prove nothing
            mark_inconclusive(ctx, f"input_validation.state-changing-get: GET {action.path} not "
                              "called: no other answer was stable enough to compare before "
                              "and after it; not tested")
            return None
        try:
            called = ctx.http.get(action.url, use_extra_headers=False)
        except ProbeError:
            return None
        if not 200 <= called.status < 400:
            return None
        changed = []
        for item, control in before:
            after = _refetch(ctx, item)
            if after is not None and not _same(after, control):
                changed.append((item, control, after))
        if not changed:
            return None
        what = "; ".join(f"GET {i.endpoint.path} as {i.caller}: {c.status} "
                         f"({len(c.body)} bytes) before, {a.status} ({len(a.body)} bytes) after"
                         for i, c, a in changed[:3])
        item, control, after = changed[0]
        return self.finding(
            "state-changing-get",
            "An anonymous GET changes the API's data",
            severity=Severity.HIGH,
            confidence=Confidence.HIGH,
            description=(f"GET {action.path} answered {called.status} to an anonymous request, "
                         f"and afterwards other operations answer differently ({what}). Any "
                         "crawler, link preview or web page a user visits can trigger it."),
            remediation=REMEDIATION,
            exchange=called.exchange,
            path=action.path,
            data={"changed": [f"GET {i.endpoint.path}" for i, _, _ in changed],
                  "before": control.exchange.response_excerpt[:400],
                  "after": after.exchange.response_excerpt[:400],
                  "watched_as": item.caller},
        )


def _watchable(seen: tuple[Observed, ...]) -> list[Observed]:
    """Successful answers with a body, listings first, one per operation and caller."""
    usable = [o for o in seen if 200 <= o.response.status < 300 and o.response.body
              and not o.response.truncated]
    usable.sort(key=lambda o: (not _is_listing(o.response), o.identity is not None))
    return usable[:MAX_WATCHED]


def _is_listing(response: ProbeResponse) -> bool:
    body = _json(response)
    return isinstance(body, list) or (isinstance(body, dict) and any(
        isinstance(v, list) for v in body.values()))


def _json(response: ProbeResponse) -> Any:
    try:
        return json.loads(response.text)
    except ValueError:
        return None


def _same(first: ProbeResponse, second: ProbeResponse) -> bool:
    if first.status != second.status:
        return False
    parsed = _json(first)
    return parsed == _json(second) if parsed is not None else first.body == second.body


def _refetch(ctx: ScanContext, item: Observed) -> ProbeResponse | None:
    """A fresh (uncached) request as the observation's caller."""
    headers = ctx.identity_headers(item.identity) if item.identity is not None else {}
    try:
        return ctx.http.get(item.endpoint.url, headers=headers, use_extra_headers=False)
    except ProbeError:
        return None
