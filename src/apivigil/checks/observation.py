"""Every operation's ordinary answer, anonymously and as each identity, fetched once per scan.

The passive detectors (sensitive data, error disclosure, version banners, CORS, cache) judge
what an API answers to ordinary requests. They must see *every* operation, not a sample: the
user listing that leaks passwords is rarely the first GET in alphabetical order. So this
module fetches each requestable GET (spec operations with their path parameters filled, or the
URL given) once anonymously and once as each identity, through the scan's shared cache under
the same keys the authorization checks (`fetch`) and `ScanContext.baseline` use: no operation
is called twice for the same caller.

The fetches run with `--concurrency` workers and stop at half of the remaining request budget,
so the active probes that come after still have room; what was not fetched is listed in
`Observation.unexamined` with the reason, and the report says so per operation.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from apivigil.checks.base import ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.http.client import ProbeResponse

MAX_IDENTITIES = 3  # the primary and two others: enough to compare, cheap enough for all ops


@dataclass(frozen=True)
class Observed:
    """One operation's ordinary answer to one caller (identity None: anonymous)."""

    endpoint: Endpoint
    response: ProbeResponse
    identity: Identity | None = None

    @property
    def authenticated(self) -> bool:
        return self.identity is not None

    @property
    def caller(self) -> str:
        return f"identity '{self.identity.name}'" if self.identity else "an anonymous caller"


@dataclass(frozen=True)
class Observation:
    """What the shared observation saw, and what it left out (with the reason)."""

    seen: tuple[Observed, ...]
    unexamined: tuple[tuple[Endpoint, str], ...] = field(default=())


def fetch_as(ctx: ScanContext, identity: Identity | None, url: str) -> ProbeResponse:
    """GET `url` as `identity` (None = anonymously), once per scan (raises `ProbeError`)."""
    key = f"authz:{identity.name if identity else '(anonymous)'}:GET:{url}"
    headers = ctx.identity_headers(identity) if identity else {}
    return ctx.cache.get_or_compute(
        key, lambda: ctx.http.get(url, headers=headers, use_extra_headers=False))


def observable(ctx: ScanContext) -> list[Endpoint]:
    """The GETs the passive detectors examine: every requestable one, in spec order."""
    endpoints = [e for e in ctx.target.concrete_endpoints() if e.method == "GET"]
    return endpoints or [e for e in ctx.target.endpoints[:1] if not e.acts]


def callers(ctx: ScanContext) -> list[Identity | None]:
    """Anonymous first, then the verified identities (or the -H credential as 'headers')."""
    if ctx.identities:
        return [None, *ctx.identities[:MAX_IDENTITIES]]
    return [None, Identity("headers")] if ctx.auth_headers() or _has_extra_credential(ctx) \
        else [None]


def _has_extra_credential(ctx: ScanContext) -> bool:
    from apivigil.core.redaction import is_secret_header

    return any(is_secret_header(name) for name, _ in ctx.options.headers)


def observe(ctx: ScanContext) -> Observation:
    """The shared observation of every operation by every caller (computed once per scan)."""
    return ctx.cache.get_or_compute("observation", lambda: _observe(ctx))


def _observe(ctx: ScanContext) -> Observation:
    pairs = [(endpoint, caller) for caller in callers(ctx) for endpoint in observable(ctx)]
    allowance = max(0, ctx.http.remaining_requests // 2)
    planned, dropped = pairs[:allowance], pairs[allowance:]

    def one(pair: tuple[Endpoint, Identity | None]) -> Observed | str:
        endpoint, caller = pair
        try:
            return Observed(endpoint, _fetch(ctx, endpoint, caller), caller)
        except BudgetExhaustedError:
            return "the request budget ran out (raise --max-requests)"
        except ProbeError as exc:
            return f"the request failed: {str(exc)[:120]}"

    with ThreadPoolExecutor(max_workers=max(1, ctx.options.concurrency)) as pool:
        results = list(pool.map(one, planned))
    seen = tuple(r for r in results if isinstance(r, Observed))
    unexamined = [(pair[0], r) for pair, r in zip(planned, results, strict=True)
                  if isinstance(r, str)]
    unexamined += [(endpoint, "kept for the active probes: half of the request budget at "
                    "most goes to observation (raise --max-requests)")
                   for endpoint, _ in dropped]
    return Observation(seen, tuple(unexamined))


def _fetch(ctx: ScanContext, endpoint: Endpoint, caller: Identity | None) -> ProbeResponse:
    if caller is None:
        return ctx.baseline(endpoint)
    if caller.name == "headers" and not ctx.identities:
        return ctx.baseline(endpoint, authenticated=True)
    return fetch_as(ctx, caller, endpoint.url)
