"""Small helpers several checks share: dummy credentials, challenge parsing, endpoint sampling."""

from __future__ import annotations

import secrets

from apivigil.checks.base import ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import basic_header
from apivigil.http.client import ProbeResponse

DUMMY_USER = "apivigil-probe"


def dummy_basic_header() -> str:
    """A Basic credential that cannot be anyone's: random, and never the user's."""
    return basic_header(DUMMY_USER, "x-" + secrets.token_hex(8))


def random_username() -> str:
    return "apivigil-" + secrets.token_hex(6)


def challenges(response: ProbeResponse) -> list[str]:
    """Auth schemes named in WWW-Authenticate headers, lower case (basic, bearer, digest...)."""
    schemes = []
    for value in response.header_values("www-authenticate"):
        for part in value.split(","):
            word = part.strip().split(" ", 1)[0]
            if word and "=" not in word:
                schemes.append(word.lower())
    return schemes


def is_success(response: ProbeResponse) -> bool:
    return 200 <= response.status < 300


def probe_endpoints(ctx: ScanContext, limit: int = 5) -> list[Endpoint]:
    """A few concrete GET endpoints to probe, secured ones first: enough to judge a host."""
    endpoints = [e for e in ctx.target.concrete_endpoints() if e.method == "GET"]
    endpoints.sort(key=lambda e: (not e.declared_secured, e.path))
    if not endpoints:
        endpoints = [ctx.target.endpoints[0]]
    return endpoints[:limit]


def mark_inconclusive(ctx: ScanContext, reason: str) -> None:
    """The check could not reach a verdict (e.g. no callback could arrive): never clean."""
    ctx.notices.append(reason)
