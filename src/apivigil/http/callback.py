"""The scan's own out-of-band callback server: proof that a target fetched a URL we gave it.

SSRF and unsafe-consumption probes send the target a URL on this server. Each URL carries a
token issued for one parameter of one operation, so an interaction here pins the fetch to that
input. The server is part of the scan's safety rules:

- it only *answers*: it never fetches, forwards or proxies anything (absolute-form request
  targets and CONNECT are refused), and answers unknown tokens with 404;
- connections are bounded (`max_connections` at once, extra ones are closed at accept), each
  with a socket timeout, request bodies are read up to 64 KiB, and at most `max_tokens` tokens
  and `MAX_INTERACTIONS` interactions per token are kept;
- it listens on loopback by default (`--callback-listen HOST:PORT` and `--callback-url URL` for
  a remote target) and is closed with the scan;
- the final wait for late interactions is bounded by `MAX_WAIT_S` (2.5 s, within a 3 s budget).

A token's `Reply` says what the server answers: a marker text (the default), hostile content
for the unsafe-consumption checks (HTML with script and template syntax, JSON with an injected
field, a redirect to an internal address, a slow or a huge body) or a document for indirect
prompt injection.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlsplit

from apivigil.core.errors import UsageError

MAX_WAIT_S = 2.5  # the budget is 3 s; the margin covers waking up and locking
MAX_INTERACTIONS = 20
_MAX_REQUEST_BODY = 64 * 1024
_SOCKET_TIMEOUT_S = 10.0
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Reply:
    """What the callback server answers for one token."""

    kind: str = "marker"  # marker, html, json, redirect, slow, huge, document
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    location: str | None = None  # for redirect
    seconds: float = 0.0  # for slow: how long the body trickles in
    size: int = 0  # for huge: how many bytes are offered


@dataclass(frozen=True)
class Interaction:
    """One request the callback server received for a token."""

    token: str
    method: str
    path: str
    peer: str
    user_agent: str
    at: float
    body_excerpt: str = ""


@dataclass(frozen=True)
class CallbackProbe:
    """A token issued for one input of one operation, and the URL that carries it."""

    token: str
    url: str
    operation: str  # e.g. "GET /fetch"
    parameter: str  # e.g. "query url"


@dataclass
class _Delivery:
    """How much of a token's reply was delivered (for huge and slow replies)."""

    bytes_written: int = 0
    complete: bool = False
    aborted: bool = False
    finished: threading.Event = field(default_factory=threading.Event)


@dataclass
class _TokenState:
    probe: CallbackProbe
    reply: Reply
    interactions: list[Interaction] = field(default_factory=list)
    deliveries: list[_Delivery] = field(default_factory=list)


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], owner: CallbackServer,
                 family: socket.AddressFamily = socket.AF_INET) -> None:
        self.address_family = family
        self.owner = owner
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Bounded connections: beyond the limit a connection is closed at once.
        if not self.owner.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.owner.slots.release()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = _SOCKET_TIMEOUT_S
    server_version = "apivigil-callback"
    sys_version = ""
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: interactions are recorded, not logged."""

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_POST(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_CONNECT(self) -> None:
        self._plain(405, b"no proxying\n")

    def _answer(self, head: bool) -> None:
        if not self.path.startswith("/"):  # absolute-form target: a proxy request
            self._plain(400, b"no proxying\n")
            return
        body = self._read_body()
        state = self.server.owner.record(self.command, self.path, self.client_address,
                                         self.headers.get("User-Agent", ""), body)
        if state is None:
            self._plain(404, b"unknown token\n")
            return
        reply = state.reply
        if reply.kind == "redirect" and reply.location:
            self.send_response(302)
            self.send_header("Location", reply.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if reply.kind in ("slow", "huge"):
            self._stream(state, reply, head)
            return
        self.send_response(200)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if not head:
            self.wfile.write(reply.body)

    def _stream(self, state: _TokenState, reply: Reply, head: bool) -> None:
        delivery = _Delivery()
        with self.server.owner.lock:
            state.deliveries.append(delivery)
        try:
            self._deliver(delivery, reply, head)
        finally:
            delivery.finished.set()

    def _deliver(self, delivery: _Delivery, reply: Reply, head: bool) -> None:
        """Slow: the body (padded to 64 bytes with leading spaces) trickles in a byte at a
        time. Huge: `size` bytes, spaces then the body, with no Content-Length (HTTP/1.0: the
        close ends it), so a client that refuses by the announced length alone still reads it.
        Either stays a document of the reply's content type (JSON allows leading spaces)."""
        self.send_response(200)
        self.send_header("Content-Type", reply.content_type)
        body = reply.body.rjust(64) if reply.kind == "slow" else reply.body[: reply.size]
        if reply.kind == "slow":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        pause = reply.seconds / len(body) if reply.kind == "slow" else 0.0
        try:
            for index, piece in enumerate(_pieces(reply.kind, body, reply.size)):
                if pause and index:
                    time.sleep(pause)
                self.wfile.write(piece)
                self.wfile.flush()
                delivery.bytes_written += len(piece)
            delivery.complete = True
        except OSError:
            delivery.aborted = True

    def _read_body(self) -> bytes:
        try:
            length = min(int(self.headers.get("Content-Length") or 0), _MAX_REQUEST_BODY)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _pieces(kind: str, body: bytes, size: int) -> Iterator[bytes]:
    """What `_deliver` writes: slow, one byte at a time; huge, space filler then the body."""
    if kind == "slow":
        yield from (body[i:i + 1] for i in range(len(body)))
        return
    filler = size - len(body)
    while filler > 0:
        yield b" " * min(filler, _CHUNK)
        filler -= _CHUNK
    if body:
        yield body


def parse_listen(value: str) -> tuple[str, int]:
    """HOST:PORT (or [IPv6]:PORT) for --callback-listen."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise UsageError(f"--callback-listen must be HOST:PORT, got {value!r}")
    return host, int(port)


def check_public_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--callback-url must be an http:// or https:// URL, got {value!r}")
    return value.strip().rstrip("/")


class CallbackServer:
    """One scan's callback listener. Start with `start()`, always `close()` (or use `with`)."""

    def __init__(self, listen: tuple[str, int] = ("127.0.0.1", 0), public_url: str | None = None,
                 *, max_connections: int = 16, max_tokens: int = 1000) -> None:
        self.listen = listen
        self.public_url = check_public_url(public_url) if public_url else None
        self.max_tokens = max_tokens
        self.slots = threading.BoundedSemaphore(max_connections)
        self.lock = threading.Lock()
        self._arrived = threading.Condition(self.lock)
        self._tokens: dict[str, _TokenState] = {}
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self.port = 0

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> CallbackServer:
        host, port = self.listen
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            main = _Server((host, port), self, family)
        except OSError as exc:
            raise UsageError(f"cannot listen for callbacks on {host}:{port}: "
                             f"{exc.strerror or exc}") from None
        self._servers.append(main)
        self.port = main.server_address[1]
        if host == "127.0.0.1":  # also on ::1, so the [::1] form of an internal address lands
            with contextlib.suppress(OSError):
                self._servers.append(_Server(("::1", self.port), self, socket.AF_INET6))
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever,
                                      kwargs={"poll_interval": 0.1}, daemon=True,
                                      name="apivigil-callback")
            thread.start()
            self._threads.append(thread)
        return self

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> CallbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- addresses ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Where a target reaches this server: --callback-url, else the listening address."""
        if self.public_url:
            return self.public_url
        host = self.listen[0]
        shown = f"[{host}]" if ":" in host else host
        if host in ("0.0.0.0", "::"):  # noqa: S104 - shown as loopback, the only sure route
            shown = "127.0.0.1"
        return f"http://{shown}:{self.port}"

    @property
    def on_loopback(self) -> bool:
        """The target can reach us through its own loopback (it runs on this machine)."""
        if self.public_url:
            return False
        host = self.listen[0]
        return host in ("0.0.0.0", "::", "localhost") or _is_loopback(host)  # noqa: S104

    def reachable_from(self, target_host: str) -> bool:
        """Whether a target on `target_host` can possibly call us back."""
        if self.public_url:
            return True
        if self.listen[0] in ("0.0.0.0", "::"):  # noqa: S104
            return True
        return _is_loopback(target_host) or target_host == "localhost"

    def loopback_variants(self, token: str) -> dict[str, str]:
        """Internal-address spellings of this server (when it listens on loopback): a filter
        that blocks `127.0.0.1` as text often lets these through."""
        if not self.on_loopback:
            return {}
        path = f"/{token}"
        variants = {
            "decimal": f"http://2130706433:{self.port}{path}",
            "hex": f"http://0x7f000001:{self.port}{path}",
            "ipv4-mapped": f"http://[::ffff:127.0.0.1]:{self.port}{path}",
            "localhost": f"http://localhost:{self.port}{path}",
        }
        if len(self._servers) > 1:
            variants["ipv6"] = f"http://[::1]:{self.port}{path}"
        return variants

    # -- tokens ---------------------------------------------------------------------------

    def issue(self, operation: str, parameter: str, reply: Reply | None = None,
              suffix: str = "") -> CallbackProbe:
        """A new token for one input of one operation; `reply` says what we answer."""
        token = "av" + secrets.token_hex(8)
        probe = CallbackProbe(token=token, url=f"{self.base_url}/{token}{suffix}",
                              operation=operation, parameter=parameter)
        with self.lock:
            if len(self._tokens) >= self.max_tokens:
                raise RuntimeError("callback token limit reached")
            self._tokens[token] = _TokenState(probe, reply or marker_reply(token))
        return probe

    def set_reply(self, token: str, reply: Reply) -> None:
        """Change what a token is answered with (content that must name its own token)."""
        with self.lock:
            self._tokens[token].reply = reply

    def internal_location(self, token: str) -> str:
        """An internal address of this server for `token` (used as a redirect target)."""
        return f"http://127.0.0.1:{self.port}/{token}"

    def record(self, method: str, path: str, peer: Any, user_agent: str,
               body: bytes) -> _TokenState | None:
        token = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
        with self.lock:
            state = self._tokens.get(token)
            if state is None:
                return None
            if len(state.interactions) < MAX_INTERACTIONS:
                state.interactions.append(Interaction(
                    token=token, method=method, path=path[:200],
                    peer=str(peer[0]) if peer else "", user_agent=user_agent[:200],
                    at=time.monotonic(), body_excerpt=body[:500].decode("utf-8", "replace")))
            self._arrived.notify_all()
            return state

    def interactions(self, token: str) -> list[Interaction]:
        with self.lock:
            state = self._tokens.get(token)
            return list(state.interactions) if state else []

    def delivery(self, token: str, wait: float = 1.0) -> tuple[int, bool]:
        """(most bytes written in one delivery, whether any delivery completed) for a token,
        after waiting (at most `wait` s) for deliveries still being written to end."""
        with self.lock:
            state = self._tokens.get(token)
            deliveries = list(state.deliveries) if state else []
        deadline = time.monotonic() + wait
        for delivery in deliveries:
            delivery.finished.wait(max(0.0, deadline - time.monotonic()))
        if not deliveries:
            return 0, False
        return (max(d.bytes_written for d in deliveries), any(d.complete for d in deliveries))

    def wait_for(self, tokens: Iterable[str], timeout: float) -> set[str]:
        """Wait (at most `MAX_WAIT_S`) until every token has an interaction; the seen ones."""
        wanted = set(tokens)
        deadline = time.monotonic() + max(0.0, min(timeout, MAX_WAIT_S))
        with self._arrived:
            while True:
                seen = {t for t in wanted if self._tokens.get(t) and self._tokens[t].interactions}
                remaining = deadline - time.monotonic()
                if seen == wanted or remaining <= 0:
                    return seen
                self._arrived.wait(remaining)


def marker_reply(token: str) -> Reply:
    return Reply(body=f"apivigil callback {token}\n".encode())


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"
