"""The report's per-operation list: what each operation was sent, by which checks, and what
was not tried on it (and why).

A request is attributed to the operation whose path template matches its URL (literal
templates before ones with parameters, so `/users/me` is not counted as `/users/{id}`), so
probes that vary a path value (`/users/admin'`) still count for `/users/{username}`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from apivigil.checks.target import Endpoint, Target, excluded
from apivigil.core.config import ScanOptions
from apivigil.core.models import CheckOutcome, OperationState, OperationStatus, OutcomeStatus
from apivigil.http.client import Exchange

ACTIVE_PROBES = ("input_validation.injection", "input_validation.sql-differential",
                 "input_validation.malformed-input")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _pattern(endpoint: Endpoint) -> re.Pattern[str]:
    """The endpoint's concrete path with its template's parameters as wildcards."""
    concrete = [s for s in unquote(urlsplit(endpoint.url).path).split("/") if s]
    template = [s for s in endpoint.path.split("/") if s]
    prefix = concrete[:len(concrete) - len(template)] if len(concrete) > len(template) else []
    parts = [re.escape(p) for p in prefix]
    for segment in template:
        pieces = re.split(r"\{[^{}]*\}", segment)
        parts.append("[^/]+".join(re.escape(p) for p in pieces))
    return re.compile("^/" + "/".join(parts) + "/?$")


class Attribution:
    """Maps request URLs to the operations they exercised."""

    def __init__(self, endpoints: Sequence[Endpoint]) -> None:
        ranked = sorted(endpoints, key=lambda e: e.path.count("{"))
        self._patterns = [(e, _pattern(e)) for e in ranked]

    def operation(self, method: str, url: str) -> Endpoint | None:
        path = unquote(urlsplit(url).path) or "/"
        for endpoint, pattern in self._patterns:
            if endpoint.method == method and pattern.match(path):
                return endpoint
        return None


def operation_statuses(
    target: Target,
    options: ScanOptions,
    exchanges: Iterable[Exchange],
    sent_by: Mapping[str, Sequence[tuple[str, str]]],
    outcomes: Sequence[CheckOutcome],
) -> list[OperationStatus]:
    """One entry per spec operation (and per excluded one), in spec order."""
    attribution = Attribution(target.endpoints)
    first_status: dict[int, int] = {}
    counts: Counter[int] = Counter()
    for exchange in exchanges:
        endpoint = attribution.operation(exchange.method, exchange.url)
        if endpoint is None:
            continue
        counts[id(endpoint)] += 1
        if exchange.status is not None:
            first_status.setdefault(id(endpoint), exchange.status)
    tried: dict[int, set[str]] = defaultdict(set)
    varied: dict[int, set[str]] = defaultdict(set)  # sent something other than the ordinary URL
    for check, requests in sent_by.items():
        for method, url in requests:
            endpoint = attribution.operation(method, url)
            if endpoint is not None:
                tried[id(endpoint)].add(check)
                if url != endpoint.url:
                    varied[id(endpoint)].add(check)
    by_check = {o.check: o for o in outcomes}
    statuses = []
    for endpoint in target.endpoints:
        key = id(endpoint)
        exercised = key in first_status
        statuses.append(OperationStatus(
            method=endpoint.method, path=endpoint.path,
            status=OperationState.EXERCISED if exercised else OperationState.SKIPPED,
            reason=None if exercised else skip_reason(endpoint, options),
            http_status=first_status.get(key),
            requests=counts[key],
            tried=sorted(tried[key]),
            not_tried=not_tried(endpoint, tried[key], varied[key], by_check, options),
        ))
    for endpoint in target.excluded:
        patterns = [p for p in options.exclude if excluded(endpoint, (p,))]
        statuses.append(OperationStatus(
            method=endpoint.method, path=endpoint.path, status=OperationState.EXCLUDED,
            reason=f"--exclude {patterns[0]!r}" if patterns else "--exclude"))
    return statuses


def not_tried(endpoint: Endpoint, tried: set[str], varied: set[str],
              by_check: Mapping[str, CheckOutcome], options: ScanOptions) -> list[str]:
    """What a user might expect on this operation that did not happen, and why. `varied`:
    the checks that sent it more than its ordinary request (a probe, not a baseline)."""
    if endpoint.method in UNSAFE and not options.allow_unsafe_methods:
        return [f"everything: {endpoint.method} is sent only with --allow-unsafe-methods"]
    if endpoint.method != "GET":
        return []
    if endpoint.acts:
        return ["passive and active probes: a GET whose name says it acts is called once, "
                "anonymously, by input_validation.state-changing-get only"]
    missing = []
    observer = by_check.get("data_exposure.sensitive-data")
    if not tried and observer is not None and observer.status is OutcomeStatus.COMPLETED:
        missing.append("observation: the request budget ran out before this operation")
    probes = [by_check[c] for c in ACTIVE_PROBES if c in by_check]
    if probes and not varied & set(ACTIVE_PROBES):
        ran = [o for o in probes if o.status is OutcomeStatus.COMPLETED]
        if not ran:
            reasons = {o.reason or o.status.value for o in probes}
            missing.append("injection and malformed-input probes: " + "; ".join(sorted(reasons)))
        elif not _has_inputs(endpoint):
            missing.append("injection and malformed-input probes: no path or query parameter "
                           "to vary")
        else:
            missing.append("injection and malformed-input probes: their budgets went to "
                           "riskier operations first (raise --max-requests)")
    bola = by_check.get("bola.cross-identity")
    if "{" in endpoint.path and bola is not None and bola.status is OutcomeStatus.SKIPPED:
        missing.append(f"object-level authorization (BOLA): {bola.reason}")
    return missing


def _has_inputs(endpoint: Endpoint) -> bool:
    if endpoint.operation is not None and any(
            p.location in ("path", "query") for p in endpoint.operation.parameters):
        return True
    return bool(urlsplit(endpoint.url).query)


def skip_reason(endpoint: Endpoint, options: ScanOptions) -> str:
    """Why an operation received no request at all."""
    if endpoint.method == "DELETE" and not (options.allow_delete
                                            and options.allow_unsafe_methods):
        return "DELETE is sent only with --allow-delete and --allow-unsafe-methods"
    if endpoint.method in UNSAFE and not options.allow_unsafe_methods:
        return f"{endpoint.method} is sent only with --allow-unsafe-methods"
    if "{" in urlsplit(endpoint.url).path:
        return "path parameters have no known values"
    if endpoint.acts:
        return ("a GET whose name says it acts: sent only by input_validation.state-changing-get "
                "(selected checks, or it was refused earlier)")
    return ("not sent by the selected checks (inventory.spec-conformance exercises every "
            "operation) or the request budget ran out")
