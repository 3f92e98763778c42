"""What a check is, and what it is given to run.

A check is a class with a `meta` (its documentation and metadata), an optional `applies_to`
that returns a reason to skip, and `run(ctx)` that *yields* findings, so one problem never hides
the next. All network I/O goes through `ctx.http`; a check never opens a socket of its own
(except the TLS checks, which hand the host to sslyze under the same scope rule).
"""

from __future__ import annotations

import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

from apivigil.checks.target import Endpoint, Target
from apivigil.core.config import Credentials, Identity, ScanOptions
from apivigil.core.errors import InconclusiveError, ProbeError, UsageError
from apivigil.core.models import (
    Category,
    Confidence,
    Evidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.core.redaction import SENSITIVE_HEADERS, Redactor
from apivigil.http.client import Exchange, ProbeClient, ProbeResponse, throttling_signal
from apivigil.http.login import LoginFlow
from apivigil.spec.model import ApiSpec

if TYPE_CHECKING:  # the callback listener (http.server) is imported only by a scan using it
    from apivigil.http.callback import CallbackServer

T = TypeVar("T")

# The schedule (`CheckMeta.phase`). Real APIs throttle failed logins per client address and then
# refuse *every* request for a while, so checks that need the identities accepted run before
# anything that could provoke that, and throttling-provoking checks run last, one at a time.
PHASE_IDENTITY = 0  # reads as the supplied identities: authorization, data exposure, exercise
PHASE_WRITE = 5  # state-changing requests as the identities, after the reads
PHASE_PROBES = 8  # anonymous checks, and probes that send a few throwaway credentials among
#                   other inputs (input validation, error disclosure, credential echo)
SEQUENTIAL_PHASE = 10  # from here on, one check at a time
PHASE_FAILED_LOGINS = 10  # wrong or dummy credentials, failed-login samples, timing
PHASE_MALFORMED = 15  # malformed, forged or misplaced credentials
PHASE_THROTTLING = 20  # default credentials and bursts: meant to trip limiters, so last


_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    """One check setting (`--set NAME=VALUE`): its type, range, default and help.

    `kind` is "int" or "float" (within `minimum`..`maximum`), "bool" (true/false, yes/no,
    on/off, 1/0) or "names" (a comma-separated list of names). A wrong name or value is a
    usage error (exit 2), never silently ignored or turned into something else.
    """

    name: str
    kind: Literal["int", "float", "bool", "names"]
    default: int | float | bool | tuple[str, ...]
    help: str
    minimum: float | None = None
    maximum: float | None = None

    def describe(self) -> str:
        """The type and range, e.g. 'integer 10..100' (shown by `apivigil checks`)."""
        if self.kind in ("int", "float"):
            word = "integer" if self.kind == "int" else "number"
            return f"{word} {self.minimum:g}..{self.maximum:g}"
        return {"bool": "true or false", "names": "comma-separated names"}[self.kind]

    def parse(self, value: object) -> int | float | bool | tuple[str, ...]:
        """The typed value of `value` (a string from the command line or config file, or an
        already typed value from a library caller)."""
        text = value if isinstance(value, str) else None
        problem = f"--set {self.name} takes {self.describe()}, got {value!r}"
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            lowered = (text or "").strip().lower()
            if lowered in _TRUE or lowered in _FALSE:
                return lowered in _TRUE
            raise UsageError(problem)
        if self.kind == "float":
            try:
                real = float(text.strip()) if text is not None else float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise UsageError(problem) from None
            if isinstance(value, bool) or real != real or not (  # NaN is no number
                    (self.minimum is None or real >= self.minimum)
                    and (self.maximum is None or real <= self.maximum)):
                raise UsageError(problem)
            return real
        if self.kind == "int":
            try:
                number = int(text.strip()) if text is not None else int(value)  # type: ignore[call-overload]
            except (TypeError, ValueError):
                raise UsageError(problem) from None
            if isinstance(value, bool | float) or not (
                    (self.minimum is None or number >= self.minimum)
                    and (self.maximum is None or number <= self.maximum)):
                raise UsageError(problem)
            return number
        items = (text.split(",") if text is not None
                 else list(value) if isinstance(value, list | tuple) else None)
        if items is None:
            raise UsageError(problem)
        names = tuple(str(item).strip() for item in items if str(item).strip())
        if not all(_NAME.match(n) for n in names):
            raise UsageError(problem)
        return names


@dataclass(frozen=True)
class CheckMeta:
    """A check's identity card: shown by `apivigil checks` and copied into its findings."""

    id: str
    title: str
    category: Category
    cwe: tuple[int, ...]
    owasp: tuple[Owasp, ...]
    severity: Severity  # the worst severity it can report
    sends: str  # what traffic it sends, in plain words
    intrusive: bool = False  # sends unsafe methods or state-changing traffic
    needs_spec: bool = False
    needs_credentials: bool = False
    needs_https: bool = False  # judges the TLS side: skipped when the target URL is http://
    phase: int = 0  # see PHASE_*: identity checks first, throttling-provoking ones last
    uses_callbacks: bool = False  # needs the scan's out-of-band callback server
    settings: tuple[Setting, ...] = ()  # what `--set` may change for this check
    # Judges the spec alone: completing without a request still tested something. Any other
    # check that sent no request and read no shared response is reported skipped, not clean.
    offline: bool = False

    @property
    def needs_working_credentials(self) -> bool:
        """Sends requests as the supplied identities and needs them accepted (the engine waits
        out the target's Retry-After before running it)."""
        return self.needs_credentials or self.phase < SEQUENTIAL_PHASE


class CheckHttp:
    """The probe client as one check sees it: counts that check's requests and notices when
    the target throttled one it needed.

    A throttled or locked-out answer (429, 423, 503 with Retry-After) to a request sent without
    `accept_throttling` raises `InconclusiveError`: the check stops (more requests would only
    prolong the throttling) and ends `inconclusive`. A check that sends with
    `accept_throttling` because it judges other answers calls `inconclusive(reason)` when
    throttling kept it from a verdict; the engine then reports it `inconclusive` too.
    """

    def __init__(self, client: ProbeClient) -> None:
        self._client = client
        self.sent = 0
        self.inconclusive_reasons: list[str] = []
        # (method, URL) of every request this check sent: the report's per-operation list.
        self.requests: list[tuple[str, str]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> ProbeResponse:
        self.sent += 1
        self.requests.append((method.upper(), url))
        response = self._client.request(method, url, **kwargs)
        if not kwargs.get("accept_throttling"):
            signal = throttling_signal(response.status, response.headers)
            if signal is not None:
                reason = f"{signal} on {method.upper()} {urlsplit(url).path or '/'}"
                self.inconclusive(reason)
                raise InconclusiveError(reason)
        return response

    def inconclusive(self, reason: str) -> None:
        """Record that the target kept this check from a verdict (it ends `inconclusive`).
        Reasons start with the cause, e.g. 'throttled: 429 Too Many Requests on GET /x'."""
        self.inconclusive_reasons.append(reason)

    def get(self, url: str, **kwargs: Any) -> ProbeResponse:
        return self.request("GET", url, **kwargs)

    def follow(self, response: ProbeResponse, max_hops: int = 5) -> Iterator[ProbeResponse]:
        for hop in self._client.follow(response, max_hops):
            self.sent += 1
            self.requests.append(("GET", hop.url))
            yield hop

    def in_scope(self, url: str) -> bool:
        return self._client.in_scope(url)

    def expired_tokens(self) -> list[str]:
        """Tokens a login issued earlier in this scan whose exp has passed (renewed since):
        what a check needs to ask "is an expired token refused?" without knowing the key."""
        now = time.time()
        return [old.secret for session in self._client.sessions for old in session.previous
                if old.expires_at is not None and old.expires_at < now]

    @property
    def remaining_requests(self) -> int:
        return self._client.remaining_requests

    @property
    def ssl_context(self) -> Any:
        return self._client.ssl_context

    @property
    def limits(self) -> Any:
        return self._client.limits


class SharedCache:
    """Responses and facts computed once per scan and shared by checks (e.g. baselines)."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                try:
                    self._values[key] = compute()
                except ProbeError as exc:
                    self._values[key] = exc
            value = self._values[key]
        if isinstance(value, ProbeError):
            raise value
        return value  # type: ignore[no-any-return]


class CheckCache(SharedCache):
    """One check's view of the shared cache: remembers whether the check used shared responses
    or facts, so a check that sent nothing and read nothing is known not to have tested."""

    def __init__(self, shared: SharedCache) -> None:
        self._shared = shared
        self.used = False

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        value = self._shared.get_or_compute(key, compute)
        self.used = True
        return value


@dataclass
class ScanContext:
    """Everything a check may use. Built by the engine, one `http` view per check."""

    target: Target
    options: ScanOptions
    http: CheckHttp
    redactor: Redactor
    cache: SharedCache
    spec: ApiSpec | None = None
    # None when not supplied, or withheld because the target is cleartext (see `notices`).
    credentials: Credentials | None = None
    credentials_withheld_reason: str | None = None
    notices: list[str] = field(default_factory=list)
    # Verified identities (-u and --identity), primary first; () when none or withheld.
    # An identity that logged in carries the issued token (or cookie) in `header`.
    identities: tuple[Identity, ...] = ()
    # The scan's callback listener, when a selected check uses one (`meta.uses_callbacks`).
    callbacks: CallbackServer | None = None
    # The login POST (--login, or the spec's OAuth2 password flow), whether or not anyone
    # logged in with it: the authentication checks attack it.
    login: LoginFlow | None = None
    # What that POST answered when the identities logged in with it (one per identity), so
    # checks can judge it (the session cookie it sets); () when nobody logged in.
    login_answers: tuple[ProbeResponse, ...] = ()

    @property
    def has_credentials(self) -> bool:
        """True when requests can be sent as someone: Basic, token, key, cookie or header."""
        return self.credentials is not None or bool(self.identities)

    @property
    def credential_kind(self) -> str:
        """The primary identity's credential kind in words ("bearer token", "HTTP Basic"...)."""
        return self.identities[0].kind if self.identities else (
            "HTTP Basic" if self.credentials else "none")

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate as the primary identity ({} when there is none)."""
        if self.identities:
            return self.identities[0].auth_headers()
        if self.credentials is None:
            return {}
        return {"Authorization": self.credentials.basic_header()}

    def identity_headers(self, identity: Identity) -> dict[str, str]:
        """Headers for a request as `identity`: its credential plus the user's non-secret -H
        headers. Send with `use_extra_headers=False`, so a credential-like -H value can never
        blur which identity a response was given to."""
        headers = {name: value for name, value in self.options.headers
                   if name.lower() not in SENSITIVE_HEADERS
                   and not self.redactor.contains_secret(value)}
        headers.update(identity.auth_headers())
        return headers

    def baseline(self, endpoint: Endpoint, *, authenticated: bool = False) -> ProbeResponse:
        """GET of an endpoint without (or with) the user's credentials, fetched once per scan."""
        # The same cache keys as `observation.fetch_as`: one request per caller and URL.
        if not authenticated or self.identities:
            primary = self.identities[0] if authenticated else None
            key = f"authz:{primary.name if primary else '(anonymous)'}:GET:{endpoint.url}"
            headers = self.identity_headers(primary) if primary else {}
            return self.cache.get_or_compute(
                key, lambda: self.http.get(endpoint.url, headers=headers,
                                           use_extra_headers=False))
        return self.cache.get_or_compute(
            f"baseline:True:GET:{endpoint.url}",
            lambda: self.http.get(endpoint.url, headers=self.auth_headers(),
                                  use_extra_headers=True),
        )


class Check(ABC):
    """Base class of every check. Subclasses set `meta` and implement `run`."""

    meta: ClassVar[CheckMeta]

    def applies_to(self, ctx: ScanContext) -> str | None:
        """A reason to skip this check for this scan, or None to run it."""
        if self.meta.needs_https and not ctx.target.is_https:
            return "the target URL is http://; this check judges the HTTPS side (scan the " \
                "https:// URL)"
        if self.meta.needs_spec and ctx.spec is None:
            return "needs an OpenAPI spec (--spec)"
        if self.meta.needs_credentials and not ctx.has_credentials:
            return ctx.credentials_withheld_reason or (
                "needs credentials (-u USER:PASSWORD, -u bearer:TOKEN, -u apikey:KEY...)")
        if self.meta.intrusive and not ctx.options.allow_unsafe_methods:
            return "intrusive: enable with --allow-unsafe-methods"
        return None

    @abstractmethod
    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        """Probe the target and yield a finding for each weakness seen."""

    # -- helpers for building findings ----------------------------------------------------

    def finding(
        self,
        rule: str,
        title: str,
        *,
        severity: Severity,
        description: str,
        remediation: Remediation,
        confidence: Confidence = Confidence.HIGH,
        exchange: Exchange | None = None,
        summary: str | None = None,
        data: Mapping[str, Any] | None = None,
        method: str | None = None,
        url: str | None = None,
        path: str | None = None,
        parameter: str | None = None,
        cwe: tuple[int, ...] | None = None,
        owasp: tuple[Owasp, ...] | None = None,
    ) -> Finding:
        """A finding with this check's category, CWE and OWASP ids and the exchange as evidence.

        `rule` is the part after the category, e.g. 'hsts-missing' ->
        'encryption.hsts-missing'.
        """
        evidence = Evidence(
            summary=summary or description,
            request=exchange.request_text() if exchange else None,
            response=exchange.response_text() if exchange else None,
            curl=exchange.curl() if exchange else None,
            data=dict(data or {}),
        )
        return Finding(
            id=f"{self.meta.category.value}.{rule}",
            check=self.meta.id,
            title=title,
            severity=severity,
            confidence=confidence,
            category=self.meta.category,
            owasp=owasp or self.meta.owasp,
            cwe=cwe or self.meta.cwe,
            method=method or (exchange.method if exchange else None),
            url=url or (exchange.url if exchange else None),
            path=path,
            parameter=parameter,
            description=description,
            evidence=evidence,
            remediation=remediation,
        )
