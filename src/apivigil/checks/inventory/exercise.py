"""Exercising spec operations: one request per operation, shared by every check that needs it.

GET operations use the scan's shared baseline (anonymous, or with the supplied credentials
when the operation is declared secured), so no other check has to send them again. POST, PUT
and PATCH are sent only with --allow-unsafe-methods and DELETE only with --allow-delete, with
the body built from the spec's examples or schema (`spec.values`).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from apivigil.checks.base import ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.http.client import ProbeResponse
from apivigil.spec.model import Operation

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ACTS_REASON = ("a GET whose name says it acts (reset, create...): called once, anonymously, by "
               "input_validation.state-changing-get after the read-only checks")
RESERVE = 4  # keep 1/RESERVE of the request budget for the other checks


def skip_reason(ctx: ScanContext, endpoint: Endpoint) -> str | None:
    """Why an operation is not sent, or None when it may be."""
    if endpoint.method == "DELETE" and not (ctx.options.allow_delete
                                            and ctx.options.allow_unsafe_methods):
        return "DELETE is sent only with --allow-delete and --allow-unsafe-methods"
    if endpoint.method in UNSAFE and not ctx.options.allow_unsafe_methods:
        return f"{endpoint.method} is sent only with --allow-unsafe-methods"
    if "{" in urlsplit(endpoint.url).path:
        return "path parameters have no known values"
    if endpoint.acts:
        return ACTS_REASON
    return None


def authenticated(ctx: ScanContext, endpoint: Endpoint) -> bool:
    """Send the user's credentials when the operation is declared secured and we have some."""
    return endpoint.declared_secured and (ctx.has_credentials
                                          or bool(ctx.options.headers))


def exercise(ctx: ScanContext, endpoint: Endpoint) -> ProbeResponse:
    """The operation's response, fetched once per scan (raises `ProbeError` on failure)."""
    with_auth = authenticated(ctx, endpoint)
    if endpoint.method == "GET" and not endpoint.headers:
        return ctx.baseline(endpoint, authenticated=with_auth)
    key = f"exercise:{with_auth}:{endpoint.method}:{endpoint.url}"

    def send() -> ProbeResponse:
        headers = dict(endpoint.headers)
        if with_auth:
            headers.update(ctx.auth_headers())
        if endpoint.body is not None and endpoint.content_type:
            headers["Content-Type"] = endpoint.content_type
        return ctx.http.request(endpoint.method, endpoint.url, headers=headers,
                                content=endpoint.body, use_extra_headers=with_auth)

    return ctx.cache.get_or_compute(key, send)


def budget_reserved(ctx: ScanContext) -> bool:
    """True when exercising more operations would eat the budget other checks need.

    A spec with more operations than the budget allows is exercised in spec order until a
    quarter of --max-requests is left; the rest are listed as skipped, with a notice.
    """
    reserve = ctx.options.max_requests // RESERVE
    if ctx.http.remaining_requests > reserve:
        return False
    message = (f"inventory: stopped exercising spec operations to keep {reserve} requests for "
               "the other checks; raise --max-requests to reach every operation")
    if message not in ctx.notices:
        ctx.notices.append(message)
    return True


def spec_endpoints(ctx: ScanContext) -> list[Endpoint]:
    """The target's endpoints that come from spec operations, in spec order."""
    return [e for e in ctx.target.endpoints if e.operation is not None]


def exercised(ctx: ScanContext) -> Iterator[tuple[Operation, ProbeResponse]]:
    """Each sendable spec operation with its (shared) response, within the budget reserve.

    A request that fails is passed over; an exhausted budget ends the check that iterates.
    """
    for endpoint in spec_endpoints(ctx):
        if skip_reason(ctx, endpoint) is not None:
            continue
        if budget_reserved(ctx):
            return
        try:
            response = exercise(ctx, endpoint)
        except BudgetExhaustedError:
            raise
        except ProbeError:
            continue
        assert endpoint.operation is not None
        yield endpoint.operation, response
