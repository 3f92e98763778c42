"""What a check is, and what it is given to run.

A check is a class with a `meta` (its documentation and metadata), an optional `applies_to`
that returns a reason to skip, and `run(ctx)` that *yields* findings, so one problem never hides
the next. All network I/O goes through `ctx.http`; a check never opens a socket of its own
(except the TLS checks, which hand the host to sslyze under the same scope rule).
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from apivigil.checks.target import Endpoint, Target
from apivigil.core.config import Credentials, Identity, ScanOptions
from apivigil.core.errors import ProbeError
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
from apivigil.http.client import Exchange, ProbeClient, ProbeResponse
from apivigil.http.login import LoginFlow
from apivigil.spec.model import ApiSpec

if TYPE_CHECKING:  # the callback listener (http.server) is imported only by a scan using it
    from apivigil.http.callback import CallbackServer

T = TypeVar("T")


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
    phase: int = 0  # higher phases run later: checks that may trip throttling go last
    uses_callbacks: bool = False  # needs the scan's out-of-band callback server


class CheckHttp:
    """The probe client as one check sees it: counts that check's requests."""

    def __init__(self, client: ProbeClient) -> None:
        self._client = client
        self.sent = 0
        # (method, URL) of every request this check sent: the report's per-operation list.
        self.requests: list[tuple[str, str]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> ProbeResponse:
        self.sent += 1
        self.requests.append((method.upper(), url))
        return self._client.request(method, url, **kwargs)

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
