"""The one probe client: every request apivigil sends goes through `ProbeClient`.

Politeness and safety live here, in one place, not in each check (sslyze's lesson):
scope (the target's host only), a request budget and a deadline, a global rate and a
concurrency cap, timeouts, a response size cap, 429/Retry-After, no credential over cleartext
HTTP, only safe methods unless allowed, and a redacted record of every exchange for evidence.
"""

from __future__ import annotations

import email.utils
import ssl
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import certifi
import httpx

from apivigil.core.config import QUERY_CREDENTIAL_HEADER
from apivigil.core.errors import (
    BudgetExhaustedError,
    CleartextCredentialError,
    OutOfScopeError,
    ProbeError,
)
from apivigil.core.redaction import Redactor
from apivigil.http.curl import curl_line
from apivigil.http.login import LoginSession, issued_secrets

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
USER_AGENT = "apivigil/0.1 (+security scan)"
_BODY_EXCERPT = 2048
# Request headers every request carries; evidence is clearer without them.
_QUIET_HEADERS = frozenset({"host", "accept", "accept-encoding", "connection", "user-agent"})


@dataclass(frozen=True)
class ClientLimits:
    """The knobs a user sets with --max-requests, --rate, --concurrency, --timeout..."""

    max_requests: int = 1000
    rate: float = 50.0  # requests per second, 0 = unlimited
    concurrency: int = 4
    timeout: float = 10.0
    max_duration: float = 300.0
    max_body_bytes: int = 2 * 1024 * 1024
    max_retry_after: float = 5.0  # longest Retry-After we wait for before giving up politely


@dataclass(frozen=True)
class TlsSettings:
    cacert: str | None = None
    insecure: bool = False


@dataclass(frozen=True)
class Exchange:
    """One request and its response as shown in evidence: already redacted."""

    number: int
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: str | None
    status: int | None
    response_headers: tuple[tuple[str, str], ...]
    response_excerpt: str
    elapsed_s: float
    error: str | None = None

    def request_text(self) -> str:
        target = urlsplit(self.url)
        path = target.path or "/"
        if target.query:
            path += "?" + target.query
        lines = [f"{self.method} {path} HTTP/1.1", f"Host: {target.netloc}"]
        lines += [f"{k}: {v}" for k, v in self.request_headers if k.lower() not in _QUIET_HEADERS]
        if self.request_body:
            lines += ["", self.request_body]
        return "\n".join(lines)

    def response_text(self) -> str:
        if self.status is None:
            return f"(no response: {self.error})"
        lines = [f"HTTP/1.1 {self.status}"]
        lines += [f"{k}: {v}" for k, v in self.response_headers]
        if self.response_excerpt:
            lines += ["", self.response_excerpt]
        return "\n".join(lines)

    def curl(self) -> str:
        return curl_line(self.method, self.url, self.request_headers, self.request_body)


@dataclass(frozen=True)
class ProbeResponse:
    """What a check sees: the raw response (capped) plus its redacted exchange record."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    elapsed_s: float
    truncated: bool
    exchange: Exchange
    http_version: str = "HTTP/1.1"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def is_redirect(self) -> bool:
        return self.status in (301, 302, 303, 307, 308) and "location" in self.headers

    @property
    def location(self) -> str | None:
        value = self.headers.get("location")
        return str(httpx.URL(self.url).join(value)) if value else None

    def header_values(self, name: str) -> list[str]:
        return self.headers.get_list(name)


@dataclass
class _Counters:
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class ProbeClient:
    """Thread-safe client shared by all checks of one scan."""

    def __init__(
        self,
        scope_host: str,
        limits: ClientLimits,
        tls: TlsSettings,
        redactor: Redactor,
        *,
        allow_cleartext_credentials: bool = False,
        allow_unsafe_methods: bool = False,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.scope_host = scope_host.lower().strip("[]")
        self.limits = limits
        self.redactor = redactor
        self.allow_cleartext_credentials = allow_cleartext_credentials
        self.allow_unsafe_methods = allow_unsafe_methods
        self.extra_headers = dict(extra_headers or {})
        self.exchanges: list[Exchange] = []
        self._counters = _Counters()
        self._started = time.monotonic()
        self._slot_lock = threading.Lock()
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._semaphore = threading.BoundedSemaphore(max(1, limits.concurrency))
        # Login endpoints: POSTs to them are allowed without --allow-unsafe-methods (the login
        # the user named), and every secret their answers carry is registered before recording.
        self.login_urls: set[str] = set()
        self.sessions: list[LoginSession] = []
        self.ssl_context = build_ssl_context(tls)
        self._client = httpx.Client(
            verify=self.ssl_context,
            follow_redirects=False,
            timeout=httpx.Timeout(limits.timeout),
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=max(2, limits.concurrency * 2)),
            trust_env=False,
        )

    # -- public API -----------------------------------------------------------------------

    @property
    def requests_sent(self) -> int:
        return self._counters.sent

    @property
    def remaining_requests(self) -> int:
        return max(0, self.limits.max_requests - self._counters.sent)

    def deadline_passed(self) -> bool:
        return time.monotonic() - self._started > self.limits.max_duration

    def in_scope(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host == self.scope_host

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | str | None = None,
        accept_throttling: bool = False,
        use_extra_headers: bool = True,
        raw_headers: list[tuple[bytes, bytes]] | None = None,
        llm_prompt: bool = False,
        renew_credentials: bool = True,
    ) -> ProbeResponse:
        """Send one request within every limit; raise `ProbeError` when it cannot be sent.

        With `accept_throttling` a 429 is returned as it is (rate-limit checks want to see it);
        otherwise a short Retry-After is waited out and the request is sent once more. A token
        issued by a login is renewed when it has expired (or a 401 shows it no longer works),
        unless `renew_credentials=False` (a check that sends an old token on purpose).
        `llm_prompt` is the one other exception to "safe methods only" (besides login POSTs):
        a text-only POST of a prompt to a detected LLM endpoint (the LLM checks' probes),
        allowed without `--allow-unsafe-methods` because answering a prompt changes nothing.
        """
        method = method.upper()
        self._check_allowed(method, url, llm_prompt and method == "POST")
        merged: dict[str, str] = dict(self.extra_headers) if use_extra_headers else {}
        merged.update(headers or {})
        sessions = [s for s in self.sessions if s.carried_by(merged)] if renew_credentials \
            else []
        for session in sessions:
            if session.expired():
                session.renew(self, session.issued.secret, "expired")
            merged = session.current_headers(merged)
        url, merged = _query_credential(url, merged)
        self._check_cleartext(url, merged, raw_headers, content)
        attempts = 1 if accept_throttling else 2
        response: ProbeResponse | None = None
        for _ in range(attempts):
            response = self._send(method, url, merged, content, raw_headers)
            if response.status == 401 and sessions:
                response = self._after_refusal(sessions, method, url, merged, content,
                                               raw_headers, response)
            if response.status != 429 or accept_throttling:
                return response
            wait = parse_retry_after(response.headers.get("retry-after"))
            if wait is None or wait > self.limits.max_retry_after:
                return response
            self._pause(wait)
        assert response is not None
        return response

    def add_session(self, session: LoginSession) -> None:
        """Keep this identity's token fresh on every request that carries it."""
        self.login_urls.add(_without_query(session.flow.url))
        self.sessions.append(session)

    def _after_refusal(
        self,
        sessions: list[LoginSession],
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | str | None,
        raw_headers: list[tuple[bytes, bytes]] | None,
        refused: ProbeResponse,
    ) -> ProbeResponse:
        """A 401 to a token that worked: log in again (bounded) and send the request once more."""
        renewed = False
        for session in sessions:
            if session.carried_by(headers) and (
                    session.expired() or session.may_renew_after_refusal()):
                seen = session.issued.secret
                session.renew(self, seen, "was refused (401)")
                renewed = renewed or session.issued.secret != seen
                headers = session.current_headers(headers)
        if not renewed:
            return refused
        self._check_allowed(method, url)
        return self._send(method, url, headers, content, raw_headers)

    def get(self, url: str, **kwargs: object) -> ProbeResponse:
        return self.request("GET", url, **kwargs)  # type: ignore[arg-type]

    def follow(
        self, response: ProbeResponse, max_hops: int = 5
    ) -> Iterator[ProbeResponse]:
        """Yield the redirects after `response`, staying in scope and sending no credentials."""
        current = response
        for _ in range(max_hops):
            target = current.location
            if not current.is_redirect or target is None or not self.in_scope(target):
                return
            current = self.request("GET", target, use_extra_headers=False)
            yield current

    def close(self) -> None:
        self._client.close()

    # -- internals ------------------------------------------------------------------------

    def _check_allowed(self, method: str, url: str, prompt_post: bool = False) -> None:
        scheme = urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise OutOfScopeError(f"not an HTTP URL: {self.redactor.text(url)}")
        if not self.in_scope(url):
            raise OutOfScopeError(
                f"refused to leave the target host {self.scope_host}: {self.redactor.text(url)}"
            )
        if method not in SAFE_METHODS and not self.allow_unsafe_methods and not prompt_post \
                and not (method == "POST" and _without_query(url) in self.login_urls):
            raise ProbeError(f"{method} is not a safe method and unsafe methods are not enabled")
        with self._counters.lock:
            if self._counters.sent >= self.limits.max_requests:
                raise BudgetExhaustedError(
                    f"request budget of {self.limits.max_requests} used up"
                )
            if self.deadline_passed():
                raise BudgetExhaustedError(
                    f"maximum scan duration of {self.limits.max_duration:g} s reached"
                )
            self._counters.sent += 1

    def _check_cleartext(
        self,
        url: str,
        headers: Mapping[str, str],
        raw_headers: list[tuple[bytes, bytes]] | None,
        content: bytes | str | None = None,
    ) -> None:
        if urlsplit(url).scheme != "http" or self.allow_cleartext_credentials:
            return
        body = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        values = list(headers.values()) + [
            v.decode("latin-1") for _, v in (raw_headers or [])
        ] + [url, body or ""]
        if any(self.redactor.contains_secret(v) for v in values):
            raise CleartextCredentialError(
                "refused to send a supplied credential over cleartext HTTP "
                "(use --allow-cleartext-credentials to permit it)"
            )

    def _pause(self, seconds: float) -> None:
        with self._slot_lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def _wait_for_slot(self) -> None:
        interval = 1.0 / self.limits.rate if self.limits.rate > 0 else 0.0
        with self._slot_lock:
            now = time.monotonic()
            slot = max(now, self._next_slot, self._paused_until)
            self._next_slot = slot + interval
        delay = slot - now
        if delay > 0:
            time.sleep(delay)

    def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | str | None,
        raw_headers: list[tuple[bytes, bytes]] | None,
    ) -> ProbeResponse:
        self._wait_for_slot()
        with self._semaphore:
            started = time.perf_counter()
            try:
                # Raw byte headers go on the wire exactly as given (non-UTF-8 probes).
                header_list: list[tuple[bytes, bytes]] = [
                    (k.encode("latin-1", "replace"), v.encode("utf-8")) for k, v in headers.items()
                ] + list(raw_headers or [])
                request = self._client.build_request(method, url, headers=header_list,
                                                     content=content)
                response = self._client.send(request, stream=True)
                try:
                    body, truncated = self._read_capped(response, started)
                finally:
                    response.close()
            except httpx.HTTPError as exc:
                elapsed = time.perf_counter() - started
                message = describe_http_error(exc)
                self._record(method, url, headers, content, None, (), b"", elapsed, message)
                raise ProbeError(f"{method} {self.redactor.text(url)}: {message}") from exc
            finally:
                self._client.cookies.clear()
            elapsed = time.perf_counter() - started
        if method == "POST" and _without_query(url) in self.login_urls:
            for secret in issued_secrets(response.headers, body):  # before anything records it
                self.redactor.add(secret)
        sent_headers = tuple(request.headers.multi_items())
        exchange = self._record(
            method, url, dict(sent_headers), content, response.status_code,
            tuple(response.headers.multi_items()), body, elapsed, None,
        )
        return ProbeResponse(
            url=url,
            status=response.status_code,
            headers=response.headers,
            body=body,
            elapsed_s=elapsed,
            truncated=truncated,
            exchange=exchange,
            http_version=response.http_version,
        )

    def _read_capped(self, response: httpx.Response, started: float) -> tuple[bytes, bool]:
        """Read at most `max_body_bytes`, and give up on bodies that trickle in too slowly."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            chunks.append(chunk)
            size += len(chunk)
            if size >= self.limits.max_body_bytes:
                return b"".join(chunks)[: self.limits.max_body_bytes], True
            if time.perf_counter() - started > self.limits.timeout * 2:
                raise httpx.ReadTimeout("response body arrived too slowly")
        return _decode_capped(response, b"".join(chunks), self.limits.max_body_bytes), False

    def _record(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | str | None,
        status: int | None,
        response_headers: tuple[tuple[str, str], ...],
        body: bytes,
        elapsed: float,
        error: str | None,
    ) -> Exchange:
        red = self.redactor
        body_text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        with self._counters.lock:
            number = len(self.exchanges) + 1
            exchange = Exchange(
                number=number,
                method=method,
                url=red.text(url),
                request_headers=tuple(red.headers(headers.items())),
                request_body=red.text(body_text[:_BODY_EXCERPT]) if body_text else None,
                status=status,
                response_headers=tuple(red.headers(response_headers)),
                response_excerpt=red.text(body[:_BODY_EXCERPT].decode("utf-8", "replace")),
                elapsed_s=elapsed,
                error=red.text(error) if error else None,
            )
            self.exchanges.append(exchange)
        return exchange


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def _query_credential(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Move an API key the spec declares `in: query` from its pseudo-header into the URL."""
    value = next((v for k, v in headers.items() if k.lower() ==
                  QUERY_CREDENTIAL_HEADER.lower()), None)
    if value is None:
        return url, headers
    rest = {k: v for k, v in headers.items() if k.lower() != QUERY_CREDENTIAL_HEADER.lower()}
    name, _, key = value.partition("=")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, key))
    return urlunsplit(parts._replace(query=urlencode(query))), rest


def _decode_capped(response: httpx.Response, raw: bytes, cap: int) -> bytes:
    """Decompress with a cap, so a compression bomb cannot exhaust memory."""
    encoding = response.headers.get("content-encoding", "").lower()
    if encoding not in ("gzip", "deflate"):
        return raw
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    try:
        decoder = zlib.decompressobj(wbits)
        return decoder.decompress(raw, cap)
    except zlib.error:
        return raw


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def describe_http_error(exc: httpx.HTTPError) -> str:
    """A short, human sentence for a transport failure."""
    text = str(exc) or exc.__class__.__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the response"
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in text:
            reason = text.split("certificate verify failed:")[-1].strip(" ()")
            return f"TLS certificate not trusted ({reason})"
        if "refused" in text.lower():
            return "connection refused"
        return f"could not connect ({text})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"malformed or incomplete response ({text})"
    return text


def build_ssl_context(tls: TlsSettings) -> ssl.SSLContext:
    """System trust (certifi) plus --cacert; -k turns verification off but keeps TLS."""
    context = ssl.create_default_context(cafile=certifi.where())
    if tls.cacert:
        context.load_verify_locations(cafile=tls.cacert)
    if tls.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
