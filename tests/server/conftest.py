"""The dashboard served for real: `apivigil serve`'s own set-up (`server.run.build`) over a
SQLite history, HTTPS with the test CA, on a free loopback port; stopped after the test."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from apivigil.demo.server import CertificateAuthority
from apivigil.server.run import RunningServer, build

ADMIN_PASSWORD = "correct horse battery staple"


@dataclass
class Dashboard:
    url: str
    db: str
    ca_path: Path
    running: RunningServer

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=str(self.ca_path), timeout=30,
                            follow_redirects=False)

    @contextmanager
    def logged_in(self) -> Iterator[httpx.Client]:
        with self.client() as client:
            token = csrf_token(client.get("/login").text)
            answer = client.post("/login", data={"username": "admin",
                                                 "password": ADMIN_PASSWORD,
                                                 "csrf_token": token})
            assert answer.status_code == 302, answer.text
            yield client


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def tls_files(authority: CertificateAuthority, directory: Path) -> tuple[str, str]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    authority.leaf.cert_chain_pems[0].write_to_path(str(cert))
    authority.leaf.private_key_pem.write_to_path(str(key))
    return str(cert), str(key)


@pytest.fixture
def dashboard(authority: CertificateAuthority, tmp_path: Path) -> Iterator[Dashboard]:
    db = f"sqlite:///{tmp_path / 'history.db'}"
    cert, key = tls_files(authority, tmp_path)
    running = build(db=db, host="127.0.0.1", port=0, cert=cert, key=key, broker=None,
                    workers=2, admin_password=ADMIN_PASSWORD, announce=print,
                    scheduler_tick=0.5)
    thread = threading.Thread(target=running.server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    yield Dashboard(running.url, db, authority.ca_path, running)
    running.server.shutdown()
    thread.join(timeout=10)
    running.stop()
