"""Small helpers several checks share: dummy credentials, challenge parsing, endpoint sampling,
and one failed (or default) login sent the way the API takes it: HTTP Basic on a GET, or the
login POST (`--login` / the spec's OAuth2 password flow) with a JSON or form body."""

from __future__ import annotations

import secrets

from apivigil.checks.base import ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import basic_header
from apivigil.http.client import ProbeResponse
from apivigil.http.login import LoginFlow, issued_credential

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
    """The check could not reach a verdict (e.g. no callback could arrive): it ends
    `inconclusive` with the reason, never completed (clean), and the notices say why."""
    ctx.notices.append(reason)
    check, sep, why = reason.partition(": ")
    ctx.http.inconclusive(f"no verdict: {why}" if sep and "." in check else reason)


def login_point(ctx: ScanContext) -> Endpoint | None:
    """The login POST as an endpoint (the spec's operation when it declares one), or None."""
    if ctx.login is None:
        return None
    path = ctx.login.path
    declared = next((e for e in ctx.target.endpoints
                     if e.method == "POST" and e.url.split("?", 1)[0] == ctx.login.url), None)
    return declared or Endpoint("POST", ctx.login.url, path)


def login_attempt(ctx: ScanContext, endpoint: Endpoint, username: str | None, password: str,
                  *, url: str | None = None,
                  extra_headers: dict[str, str] | None = None) -> ProbeResponse:
    """One login with this pair (None: no credentials at all), as the endpoint takes it.

    A POST endpoint gets the login flow's body; a GET endpoint gets HTTP Basic. 429s are
    returned as they are: throttling is an answer here, never waited out.
    """
    flow = ctx.login
    headers = dict(extra_headers or {})
    if endpoint.method == "POST" and flow is not None:
        login_headers, body = flow.request(username or "", password if username else "")
        return ctx.http.request("POST", url or endpoint.url, headers={**login_headers, **headers},
                                content=body, use_extra_headers=False, accept_throttling=True)
    if username is not None:
        headers["Authorization"] = basic_header(username, password)
    return ctx.http.get(url or endpoint.url, headers=headers, use_extra_headers=False,
                        accept_throttling=True)


def login_accepted(flow: LoginFlow | None, endpoint: Endpoint, response: ProbeResponse) -> bool:
    """A login POST is accepted when it answers a token or a session (a 200 that says
    {"error": ...} is not); a GET when it answers 2xx."""
    if endpoint.method == "POST" and flow is not None:
        return is_success(response) and issued_credential(flow, response) is not None
    return is_success(response)


def login_words(endpoint: Endpoint) -> str:
    """How findings name what was sent: "logins" on a POST, "Basic logins" on a GET."""
    return "logins" if endpoint.method == "POST" else "Basic logins"


_EXPOSURE = {
    "basic": "Basic credentials are only base64-encoded and travel with every request",
    "bearer": "bearer tokens travel as they are with every request and work for anyone "
              "until they expire",
    "apikey": "API keys travel as they are with every request and rarely expire",
    "cookie": "session cookies travel with every request and open the session to anyone",
    "login": "the login POST carries the password itself",
}


def credential_exposure(ctx: ScanContext, offered: list[str] | None = None) -> str:
    """What travels in clear on this API, in words that fit its schemes (not always Basic)."""
    kinds: list[str] = []
    if ctx.login is not None:
        kinds.append("login")
    for scheme in offered or []:
        if scheme in ("basic", "bearer"):
            kinds.append(scheme)
    if ctx.spec is not None:
        for name in sorted(ctx.spec.used_scheme_names):
            declared = ctx.spec.security_schemes.get(name)
            if declared is None:
                continue
            if declared.type == "apiKey":
                kinds.append("cookie" if declared.location == "cookie" else "apikey")
            elif declared.type in ("oauth2", "openIdConnect") or declared.scheme == "bearer":
                kinds.append("bearer")
            elif declared.scheme == "basic":
                kinds.append("basic")
    kind = ctx.credential_kind
    kinds.append({"bearer token": "bearer", "session cookie": "cookie", "HTTP Basic": "basic",
                  "API key": "apikey", "API key (query)": "apikey"}.get(kind, ""))
    unique = [k for k in dict.fromkeys(kinds) if k]
    if not unique:
        return "credentials travel with every request"
    sentences = [_EXPOSURE[k] for k in unique]
    return "; ".join(sentences)
