"""What the authentication checks share: which endpoint to attack, failure probes, signatures.

The expensive checks (enumeration, timing, default and broken credentials) attack ONE
authentication endpoint, chosen once per scan and cached, so a scan's request count does not
grow with the size of the API: the login POST when there is a login flow (`--login`, or the
spec's OAuth2 password flow), else a protected GET that takes HTTP Basic. Failed-login probes
are cached too: the enumeration and verbose-error checks read the same responses instead of
sending their own.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from apivigil.checks.base import ScanContext
from apivigil.checks.common import (
    challenges,
    login_accepted,
    login_attempt,
    login_point,
    probe_endpoints,
)
from apivigil.checks.target import Endpoint
from apivigil.core.errors import ProbeError
from apivigil.core.models import Remediation
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

_AUTH_WORDS = ("login", "signin", "sign-in", "auth", "token", "session")
REFUSED = frozenset({401, 403})
LOCKOUT = frozenset({423})

REFERENCES = (
    "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
    "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html",
)

ENUMERATION_REMEDIATION = Remediation(
    summary=(
        "Answer every failed login the same way: one status (401), one body, the same headers, "
        "and the same work — check the password against a dummy hash when the user does not "
        "exist. Throttle failures per client and per account (e.g. Flask-Limiter)."
    ),
    examples=examples("basic-auth"),
    references=(*REFERENCES, "https://cwe.mitre.org/data/definitions/204.html"),
)


@dataclass(frozen=True)
class AuthTarget:
    """The endpoint the expensive checks attack, and how it answers anonymous requests (for a
    login POST: a login with an empty user name and password)."""

    endpoint: Endpoint
    anonymous: ProbeResponse

    @property
    def schemes(self) -> list[str]:
        return challenges(self.anonymous)

    @property
    def label(self) -> str:
        """"POST /api/login" or "GET /api/me": how findings name the endpoint."""
        return f"{self.endpoint.method} {self.endpoint.path}"

    @property
    def is_login_post(self) -> bool:
        return self.endpoint.method == "POST"

    def attempt(self, ctx: ScanContext, username: str | None, password: str = "", *,
                url: str | None = None) -> ProbeResponse:
        """One login with this pair (None: no credentials), the way this endpoint takes it."""
        return login_attempt(ctx, self.endpoint, username, password, url=url)

    def accepted(self, ctx: ScanContext, response: ProbeResponse) -> bool:
        return login_accepted(ctx.login, self.endpoint, response)


def protected_endpoints(ctx: ScanContext, limit: int = 10) -> list[tuple[Endpoint, ProbeResponse]]:
    """GET endpoints that refuse an anonymous request (401/403), with that refusal."""
    found = []
    for endpoint in probe_endpoints(ctx, limit=limit):
        try:
            anonymous = ctx.baseline(endpoint)
        except ProbeError:
            continue
        if anonymous.status in REFUSED:
            found.append((endpoint, anonymous))
    return found


def protected_target(ctx: ScanContext) -> AuthTarget | None:
    """A protected GET: a path named like login/auth/token, else the first protected endpoint.
    None when nothing refuses anonymous requests."""

    def choose() -> AuthTarget | None:
        protected = protected_endpoints(ctx)
        if not protected:
            return None
        named = [p for p in protected if any(w in p[0].path.lower() for w in _AUTH_WORDS)]
        endpoint, anonymous = (named or protected)[0]
        return AuthTarget(endpoint, anonymous)

    return ctx.cache.get_or_compute("authentication:protected-target", choose)


def auth_target(ctx: ScanContext) -> AuthTarget | None:
    """The one authentication endpoint: the login POST when there is a login flow, else the
    protected GET of `protected_target`."""
    endpoint = login_point(ctx)
    if endpoint is None:
        return protected_target(ctx)

    def empty_login() -> AuthTarget | None:
        try:
            return AuthTarget(endpoint, login_attempt(ctx, endpoint, "", ""))
        except ProbeError:
            return None

    return ctx.cache.get_or_compute("authentication:login-target", empty_login)


def note_throttled(ctx: ScanContext, check: str, status: int, what: str) -> None:
    """Say in the report's notices that throttling (not a clean result) ended a check."""
    ctx.notices.append(f"{check}: the target throttled or locked out (HTTP {status}) {what}; "
                       "that part is inconclusive, not reported as clean or as a finding")


def known_username(ctx: ScanContext) -> str | None:
    """The user name from -u (else the first identity's). A user name is not a secret, so it
    is usable even when the password is withheld over cleartext; probes pair it only with
    wrong passwords."""
    supplied = ctx.options.credentials
    if supplied is not None:
        return supplied.username
    return next((i.username for i in ctx.options.all_identities() if i.username), None)


def unknown_username() -> str:
    """A user name that cannot exist, random per scan."""
    return "apivigil-nouser-" + secrets.token_hex(5)


def wrong_password() -> str:
    return "apivigil-wrong-" + secrets.token_hex(6)


# -- failure probes shared by the enumeration and verbose-error checks ----------------------


@dataclass
class FailureSamples:
    """Repeated failed logins of each kind on the auth endpoint (kind -> responses)."""

    url: str
    usernames: dict[str, str]  # kind -> user name sent ("" for no credentials)
    responses: dict[str, list[ProbeResponse]] = field(default_factory=dict)
    throttled: ProbeResponse | None = None  # the 429 (or lockout) that stopped sampling


KNOWN, UNKNOWN, ANONYMOUS = "known user, wrong password", "unknown user, wrong password", \
    "no credentials"


def failure_samples(ctx: ScanContext, target: AuthTarget, rounds: int = 3) -> FailureSamples:
    """Send each failure kind `rounds` times, interleaved; stop at the first 429 or 423."""

    def collect() -> FailureSamples:
        user = known_username(ctx)
        stranger = unknown_username()
        kinds: dict[str, str | None] = {ANONYMOUS: None, UNKNOWN: stranger}
        if user is not None:
            kinds[KNOWN] = user
        samples = FailureSamples(target.endpoint.url,
                                 {k: (v or "") for k, v in kinds.items()},
                                 {k: [] for k in kinds})
        for _ in range(rounds):
            for kind, name in kinds.items():
                try:
                    response = target.attempt(ctx, name, wrong_password())
                except ProbeError:
                    return samples
                if response.status == 429 or response.status in LOCKOUT:
                    samples.throttled = response
                    return samples
                samples.responses[kind].append(response)
        return samples

    return ctx.cache.get_or_compute(f"authentication:failures:{target.endpoint.url}", collect)


# -- normalising responses so dynamic content does not look like a difference -------------

_DYNAMIC = (
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I),
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"),
    re.compile(r"\b[A-Za-z0-9_\-]{20,}={0,2}"),  # nonces, request ids, tokens
    re.compile(r"\b[0-9a-f]{8,}\b", re.I),
    re.compile(r"\d+(\.\d+)?"),
)
# Headers that differ between requests on any server, so they are never a difference.
_VOLATILE_HEADERS = frozenset({"date", "content-length", "set-cookie", "x-request-id", "etag",
                               "age", "expires", "last-modified", "server-timing",
                               "x-correlation-id", "x-trace-id", "traceparent", "connection",
                               "keep-alive", "retry-after", "ratelimit-remaining",
                               "x-ratelimit-remaining", "x-ratelimit-reset", "ratelimit-reset",
                               "x-runtime", "x-response-time"})


def normalise_body(text: str, usernames: list[str]) -> str:
    """The body with user names, ids, timestamps, nonces and numbers replaced by markers."""
    for name in sorted((n for n in usernames if n), key=len, reverse=True):
        text = text.replace(name, "<user>")
    for pattern in _DYNAMIC:
        text = pattern.sub("<v>", text)
    return " ".join(text.split())


def signature(response: ProbeResponse, usernames: list[str]) -> tuple[object, ...]:
    """What a client can tell apart: status, stable headers and the normalised body."""
    headers = tuple(sorted(
        (name.lower(), normalise_body(value, usernames))
        for name, value in response.headers.multi_items()
        if name.lower() not in _VOLATILE_HEADERS
    ))
    return (response.status, headers, normalise_body(response.text, usernames))


# -- error pages that reveal internals ------------------------------------------------------

DEBUG_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Werkzeug debugger", re.compile(r"Werkzeug Debugger|__debugger__=yes|EVALEX\s*=", re.I)),
    ("Django debug page", re.compile(
        r"You're seeing this error because you have <code>DEBUG = True</code>"
        r"|<title>\w*\s*at /[^<]*</title>.*Django Version", re.S)),
    ("Starlette/FastAPI debug traceback", re.compile(
        r"<title>Starlette Debugger</title>|class=\"traceback-container\"|"
        r"<h2>500 Server Error</h2>.*?<div class=\"traceback-container\">", re.S)),
    ("Express stack trace", re.compile(
        r"\n\s+at [\w.<>\[\] ]+ \(\S*node_modules[\\/]express[\\/]\S+:\d+:\d+\)")),
    ("Node.js stack trace", re.compile(r"\n\s+at \S+ \((/|[A-Z]:\\)\S+\.js:\d+:\d+\)")),
    ("Python traceback", re.compile(r"Traceback \(most recent call last\):")),
    ("Java stack trace", re.compile(r"\n\s*at [a-z][\w$]*(\.[\w$]+)+\([\w$]+\.java:\d+\)")),
)


def debug_signature(text: str) -> str | None:
    """The name of the debug page or stack trace `text` contains, or None."""
    for name, pattern in DEBUG_SIGNATURES:
        if pattern.search(text):
            return name
    return None
