"""Where the active probes go: every operation, ranked by risk, not by name.

Injection, malformed-input and authorization probes cost requests, so they cannot be sent to
every input of every operation of a large API. The planner ranks operations by what makes a
flaw likely and costly: parameters that select an object (ids, names, titles, slugs, keys),
parameters that shape a query (filter, search, sort, where), operations that return objects,
and operations behind authentication (their data is worth protecting). Operations that are
public by nature (login, health, docs...) come last. Ties keep the spec's order, so a plan is
deterministic. Depth (how far down the ranking a check goes) is its request budget, which
scales with `--max-requests`.
"""

from __future__ import annotations

import re

from apivigil.checks.base import ScanContext
from apivigil.checks.target import Endpoint

_OBJECT_KEY = re.compile(r"(?:^|_|-)(?:id|uuid|guid|key|name|username|user|login|title|slug|"
                         r"handle|code|number|no|ref|email)$|Id$|Name$|Key$", re.IGNORECASE)
_QUERY_SHAPER = re.compile(r"^(?:q|query|search|filter|where|sort|order|order_?by|sort_?by|"
                           r"name|title|username|email|category|type|status|fields?|select|"
                           r"expand|include|lang|format)$", re.IGNORECASE)


def risk(endpoint: Endpoint) -> int:
    """A score: higher means probe first (see the module docstring for the weights)."""
    operation = endpoint.operation
    score = 0
    if operation is not None:
        for param in operation.parameters:
            if param.location == "path":
                score += 4 if _OBJECT_KEY.search(param.name) else 2
            elif param.location == "query":
                score += 3 if _QUERY_SHAPER.match(param.name) else 1
        if any(str(code).startswith("2") and isinstance(r, dict) and r.get("content")
               for code, r in operation.responses.items()):
            score += 1
        if operation.secured:
            score += 1
        if operation.public_by_nature:
            score -= 5
    elif "?" in endpoint.url:
        score += 3
    return score


def ranked(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Endpoints by descending risk; equal risks keep their order."""
    order = {id(e): index for index, e in enumerate(endpoints)}
    return sorted(endpoints, key=lambda e: (-risk(e), order[id(e)]))


def probe_plan(ctx: ScanContext) -> list[Endpoint]:
    """Every requestable GET operation, riskiest first: what the active probes walk through."""
    endpoints = [e for e in ctx.target.concrete_endpoints() if e.method == "GET"]
    if not endpoints:
        endpoints = [e for e in ctx.target.endpoints[:1] if not e.acts]
    return ranked(endpoints)
