"""Serve WSGI apps for real on loopback, over HTTP and HTTPS, with a throwaway CA.

Used by `apivigil demo` and by the test suite's fixture apps alike, so the tests exercise the
same serving code the demo uses. Servers bind to 127.0.0.1 only.
"""

from __future__ import annotations

import io
import logging
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trustme
from rich.console import Console
from werkzeug.serving import BaseWSGIServer, make_server

from apivigil.core.config import Credentials, ScanOptions
from apivigil.demo.apps import (
    DEMO_PASSWORD,
    DEMO_USER,
    WsgiApp,
    hardened_app,
    https_redirect_app,
    vulnerable_app,
)

LOOPBACK = "127.0.0.1"
MODERN_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"


class CertificateAuthority:
    """A throwaway CA and a leaf certificate for loopback names, written to a temp dir."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        # 90 days, like an automatically renewed public certificate (at most 398 allowed)
        now = datetime.now(UTC)
        self.leaf = self.ca.issue_cert(LOOPBACK, "localhost", "::1",
                                       not_before=now - timedelta(days=1),
                                       not_after=now + timedelta(days=89))
        self.ca_path = directory / "apivigil-demo-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))

    def server_context(self, *, legacy: bool = False) -> ssl.SSLContext:
        """Modern (TLS 1.2+, AEAD suites) or legacy (TLS 1.0 and weak suites accepted)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if legacy:
            context.set_ciphers("ALL:@SECLEVEL=0")
            context.minimum_version = ssl.TLSVersion.TLSv1
        else:
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.set_ciphers(MODERN_CIPHERS)
        self.leaf.configure_cert(context)
        return context


@dataclass
class ServedApp:
    server: BaseWSGIServer
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_wsgi(app: WsgiApp, tls: ssl.SSLContext | None = None, port: int = 0) -> ServedApp:
    """Start a threaded server for `app` on 127.0.0.1 (a free port unless given)."""
    # Handshake failures from TLS probes are expected; they are not the server operator's news.
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = make_server(LOOPBACK, port, app, threaded=True, ssl_context=tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    return ServedApp(server, thread, f"{scheme}://{LOOPBACK}:{server.server_port}")


def _quiet(app: WsgiApp) -> WsgiApp:
    """Keep the demo's deliberate tracebacks (debugger, bcrypt errors) off the user's terminal."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["wsgi.errors"] = io.StringIO()
        return app(environ, start_response)

    return application


@dataclass
class RunningDemo:
    hardened: bool
    http_url: str
    https_url: str
    ca_path: Path

    @property
    def spec_url(self) -> str:
        return self.https_url + "/openapi.json"


@contextmanager
def serve_demo(*, hardened: bool) -> Iterator[RunningDemo]:
    """Serve the demo API on two free loopback ports, HTTPS and its cleartext twin."""
    with tempfile.TemporaryDirectory(prefix="apivigil-demo-") as tmp:
        authority = CertificateAuthority(Path(tmp))
        urls: dict[str, str] = {}
        factory = hardened_app if hardened else vulnerable_app
        # The app needs the URLs for its spec, and the URLs need the servers: fill in after.
        app = _quiet(factory(urls))
        https = serve_wsgi(app, authority.server_context(legacy=not hardened))
        http_app: WsgiApp = https_redirect_app(https.url) if hardened else app
        http = serve_wsgi(http_app)
        urls.update(http=http.url, https=https.url)
        try:
            yield RunningDemo(hardened, http.url, https.url, authority.ca_path)
        finally:
            http.stop()
            https.stop()


def demo_scan_options(demo: RunningDemo, **overrides: Any) -> ScanOptions:
    """The scan `apivigil demo` runs: the spec, the demo account, the CA, both ports."""
    values: dict[str, Any] = {
        "url": demo.https_url,
        "spec": demo.spec_url,
        "credentials": Credentials(DEMO_USER, DEMO_PASSWORD),
        "cacert": str(demo.ca_path),
        "http_port": int(demo.http_url.rsplit(":", 1)[1]),
        "max_requests": 600,
        "max_duration": 60.0,
        "rate": 0.0,
    }
    values.update(overrides)
    return ScanOptions(**values)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds serve_demo, which removes its temporary CA files


def serve_forever(print_to: Console) -> None:
    """`apivigil demo --serve`: both versions, until interrupted (Ctrl-C or SIGTERM)."""
    import signal

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with serve_demo(hardened=False) as weak, serve_demo(hardened=True) as strong:
        for demo in (weak, strong):
            label = "hardened" if demo.hardened else "vulnerable"
            print_to.print(f"{label:10} {demo.https_url}  (cleartext twin {demo.http_url})\n"
                           f"{'':10} spec {demo.spec_url}\n{'':10} CA   {demo.ca_path}",
                           markup=False)
        print_to.print(f"demo account: user {DEMO_USER!r}; its password is in "
                       "apivigil/demo/apps.py. Ctrl-C stops.", markup=False)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
