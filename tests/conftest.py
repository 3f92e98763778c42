"""Shared fixtures: real servers on 127.0.0.1 (HTTP and HTTPS with a throwaway CA) and scans.

Every check is tested against apps served for real by `apivigil.demo.server.serve_wsgi`, the
same code `apivigil demo` uses; nothing here mocks HTTP.
"""

from __future__ import annotations

import os

# Tests of apivigil's own checks must not depend on which plugins are installed (the example
# plugin is, for tests/test_plugins.py, which turns this off where it needs the plugin).
os.environ["APIVIGIL_NO_PLUGINS"] = "1"

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from apivigil.core.config import ScanOptions
from apivigil.core.models import Report
from apivigil.demo.server import CertificateAuthority, ServedApp, serve_wsgi
from apivigil.engine.runner import Scanner


@pytest.fixture(scope="session", autouse=True)
def _private_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Scans the tests run (many as subprocesses) store history in a temp db, not in ~."""
    import os

    saved = os.environ.get("APIVIGIL_DB")
    os.environ["APIVIGIL_DB"] = str(tmp_path_factory.mktemp("history") / "history.db")
    yield
    if saved is None:
        os.environ.pop("APIVIGIL_DB", None)
    else:
        os.environ["APIVIGIL_DB"] = saved


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """This test session's own PostgreSQL (tests.services), for the history and fleet tests."""
    from tests.services import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def authority(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def serve(authority: CertificateAuthority) -> Iterator[Callable[..., ServedApp]]:
    """serve(app, tls=None | "modern" | "legacy" | SSLContext) -> ServedApp, stopped after."""
    started: list[ServedApp] = []

    def start(app: Any, tls: str | ssl.SSLContext | None = None, port: int = 0) -> ServedApp:
        context = tls
        if tls == "modern":
            context = authority.server_context()
        elif tls == "legacy":
            context = authority.server_context(legacy=True)
        served = serve_wsgi(app, context, port)  # type: ignore[arg-type]
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def run_scan(authority: CertificateAuthority) -> Callable[..., Report]:
    """run_scan(url, **ScanOptions fields) -> Report; trusts the test CA unless cacert=None."""

    def scan(url: str, **options: Any) -> Report:
        options.setdefault("cacert", str(authority.ca_path))
        options.setdefault("rate", 0.0)
        options.setdefault("timeout", 5.0)
        return Scanner(ScanOptions(url=url, **options)).run()

    return scan


@pytest.fixture
def tmp_spec(tmp_path: Path) -> Callable[[dict[str, Any]], str]:
    """Write a spec dict to a JSON file and return its path."""
    import json

    def write(document: dict[str, Any]) -> str:
        path = tmp_path / "openapi.json"
        path.write_text(json.dumps(document))
        return str(path)

    return write


@pytest.fixture
def serve_asgi(authority: CertificateAuthority, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """serve_asgi(app, tls=True, **uvicorn settings) -> https:// (or http://) URL: an ASGI app
    (FastAPI) under uvicorn on 127.0.0.1."""
    import socket
    import threading
    import time

    import uvicorn

    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: Any, tls: bool = True, **settings: Any) -> str:
        pem = tmp_path / f"leaf-{len(servers)}.pem"
        authority.leaf.private_key_and_cert_chain_pem.write_to_path(str(pem))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        keys = {"ssl_certfile": str(pem), "ssl_keyfile": str(pem)} if tls else {}
        config = uvicorn.Config(app, log_level="critical", lifespan="off", **keys, **settings)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        servers.append((server, thread))
        return f"{'https' if tls else 'http'}://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=5)
