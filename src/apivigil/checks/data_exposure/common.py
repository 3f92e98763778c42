"""What the data exposure checks share: the responses to inspect, and masked evidence."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from apivigil.checks.base import ScanContext
from apivigil.checks.common import DUMMY_USER
from apivigil.checks.data_exposure.patterns import mask
from apivigil.checks.observation import Observed, observe
from apivigil.checks.target import Endpoint
from apivigil.core.config import basic_header
from apivigil.http.client import Exchange, ProbeResponse

_AUTH_PATH = re.compile(r"log-?in|sign-?in|auth|token|session|oauth", re.IGNORECASE)


def observed_responses(ctx: ScanContext) -> list[Observed]:
    """Every operation's ordinary answer, anonymously and as each identity (see
    `checks.observation`): fetched once per scan and shared by all checks."""
    return list(observe(ctx).seen)


def is_auth_path(path: str) -> bool:
    return bool(_AUTH_PATH.search(path))


def masked_exchange(exchange: Exchange, values: Iterable[str]) -> Exchange:
    """The exchange with every sensitive value replaced by its mask, for evidence."""
    excerpt = exchange.response_excerpt
    for value in sorted(set(values), key=len, reverse=True):
        # JSON may escape '/' as '\\/': mask both spellings.
        for spelling in (value, value.replace("/", "\\/")):
            excerpt = excerpt.replace(spelling, mask(spelling))
    return dataclasses.replace(exchange, response_excerpt=excerpt)


def oversized_credential(ctx: ScanContext, endpoint: Endpoint) -> ProbeResponse:
    """GET with a throwaway Basic credential whose password is 200 bytes, fetched once per scan.

    Longer than bcrypt's 72-byte limit (bcrypt 5 raises on it), so code that hashes without
    validating the length crashes: shared by the error disclosure and malformed input checks.
    """
    header = basic_header(DUMMY_USER, "x" * 200)
    return ctx.cache.get_or_compute(
        f"probe:oversized-basic:{endpoint.url}",
        lambda: ctx.http.get(endpoint.url, headers={"Authorization": header},
                             use_extra_headers=False),
    )
