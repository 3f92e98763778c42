"""Fleet set-ups shared by the Celery test and bench/fleet_scans.py: slow loopback APIs that
make a scan last a couple of seconds, monitored targets for them, and `apivigil worker`
subprocesses (each in its own process group, so a test can kill one whole worker)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response
from sqlalchemy.orm import Session

from apivigil.demo.server import CertificateAuthority, ServedApp, serve_wsgi
from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring

CHECKS = "encryption.hsts,data_exposure.cors,data_exposure.error-disclosure"


class SlowApi:
    """An API that answers after `delay` seconds and counts the requests it got."""

    def __init__(self, delay: float) -> None:
        self.hits = 0
        self.lock = threading.Lock()
        app = Flask("slow")

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def anything(path: str) -> Response:
            with self.lock:
                self.hits += 1
            time.sleep(delay)
            response = Response('{"ok": true}', content_type="application/json")
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
            return response

        self.app = app


def serve_targets(authority: CertificateAuthority, count: int, delay: float,
                  db_url: str) -> tuple[list[ServedApp], list[SlowApi], list[int]]:
    """`count` slow HTTPS APIs, each a monitored target in the history at `db_url`."""
    servers, apis, ids = [], [], []
    with History(db_url) as history:
        monitoring = Monitoring(history.engine)
        for number in range(count):
            api = SlowApi(delay)
            served = serve_wsgi(api.app, authority.server_context())
            target = monitoring.add_target(name=f"api-{number:02d}", url=served.url + "/",
                                           cacert=str(authority.ca_path), checks=CHECKS,
                                           max_requests=60)
            servers.append(served)
            apis.append(api)
            ids.append(target.id)
    return servers, apis, ids


def start_worker(broker: str, db_url: str, log: Path, *, visibility: int = 8,
                 concurrency: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "APIVIGIL_VISIBILITY_TIMEOUT": str(visibility)}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", "from apivigil.cli import main; main()", "worker",
             "--broker", broker, "--db", db_url, "--concurrency", str(concurrency)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def kill_worker(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the whole worker (main process and its pool), as a machine that dies would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


def connected_ports(process: subprocess.Popen[bytes]) -> set[int]:
    """Remote loopback ports of the established TCP connections of a worker's process group
    (main process and pool): which targets it is scanning right now."""
    inodes: set[str] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) != process.pid:
                continue
            for fd in os.listdir(f"/proc/{entry}/fd"):
                link = os.readlink(f"/proc/{entry}/fd/{fd}")
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        except OSError:
            continue
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes and fields[3] == "01":  # ESTABLISHED
            ports.add(int(fields[2].split(":")[1], 16))
    return ports


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_worker(process)


def wait_until(condition: Callable[[], Any], timeout: float, step: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def stored(db_url: str, jobs: list[str]) -> dict[str, int]:
    """Job id -> scan id of the jobs already stored (one query, one kept connection pool)."""
    from sqlalchemy import select

    from apivigil.fleet.jobs import stores
    from apivigil.store.history import ScanJobRow

    history, _ = stores(db_url)
    with Session(history.engine) as session:
        rows = session.execute(select(ScanJobRow.job_id, ScanJobRow.scan_id)
                               .where(ScanJobRow.job_id.in_(jobs)))
        return {job: scan for job, scan in rows}
