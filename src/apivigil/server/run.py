"""`apivigil serve`: the dashboard, its scheduler and its scan dispatcher in one process.

HTTPS with `--cert`/`--key` (PEM); plain HTTP only on a loopback address (then the session
cookie cannot be marked Secure: put a TLS-terminating proxy in front for anything else). The
server is werkzeug's threaded WSGI server, as for a small team's internal tool; the app
(`create_app`) is a plain WSGI app for gunicorn or any other server too.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from apivigil.core.errors import UsageError
from apivigil.fleet.local import LocalDispatcher
from apivigil.fleet.schedule import Scheduler
from apivigil.server.app import Dispatcher, ServerSettings, create_app, ensure_admin
from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring


@dataclass
class RunningServer:
    server: BaseWSGIServer
    dispatcher: Dispatcher
    scheduler: Scheduler
    url: str

    def serve_forever(self) -> None:
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self.stop()

    def stop(self) -> None:
        self.scheduler.stop()
        self.server.server_close()
        self.dispatcher.shutdown()


class _QuietHandler(WSGIRequestHandler):
    """No software versions in the Server header (they only help an attacker)."""

    server_version = "apivigil"
    sys_version = ""

    def version_string(self) -> str:
        return "apivigil"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build(*, db: str | None, host: str, port: int, cert: str | None, key: str | None,
          broker: str | None, workers: int, admin_password: str | None,
          announce: Callable[[str], None], scheduler_tick: float = 5.0) -> RunningServer:
    """Set everything up (admin account, dispatcher, scheduler, socket); not serving yet."""
    if bool(cert) != bool(key):
        raise UsageError("--cert and --key go together (PEM files)")
    if not cert and not _loopback(host):
        raise UsageError(f"--host {host}: serving plain HTTP beyond loopback would send the "
                         "session cookie in clear; give --cert and --key")
    context = None
    if cert and key:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
        try:
            context.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"--cert/--key: cannot load them: {exc}") from None
    with History(db) as history:
        generated = ensure_admin(Monitoring(history.engine), admin_password)
    if generated:
        announce(f"created the dashboard account 'admin' with the password {generated} "
                 "(shown once; set APIVIGIL_ADMIN_PASSWORD before the first start to choose it)")
    dispatcher: Dispatcher
    if broker:
        from apivigil.fleet.celery_app import CeleryDispatcher

        dispatcher = CeleryDispatcher(broker, db)
    else:
        dispatcher = LocalDispatcher(db, workers=workers)
    app = create_app(ServerSettings(db_url=db, secure_cookies=context is not None), dispatcher)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        server = make_server(host, port, app, threaded=True, ssl_context=context,
                             request_handler=_QuietHandler)
    except OSError as exc:
        dispatcher.shutdown()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    scheduler = Scheduler(db, dispatcher.submit, tick=scheduler_tick)
    scheduler.start()
    scheme = "https" if context else "http"
    shown = f"[{host}]" if ":" in host else host
    return RunningServer(server, dispatcher, scheduler,
                         f"{scheme}://{shown}:{server.server_port}")
