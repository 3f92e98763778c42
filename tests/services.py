"""Real servers the history and fleet tests (and benchmarks) start for themselves: PostgreSQL
and Redis, each on 127.0.0.1 and a free port, in a temp dir, stopped and deleted afterwards.

PostgreSQL: `initdb` and `pg_ctl start`; it refuses to run as root, so as root it runs as the
`postgres` user that the Debian package creates. Redis: `redis-server` without persistence.
`make system-deps` installs both (Debian packages postgresql and redis-server).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.reporting.tools import postgres_bin, require

DB_NAME = "apivigil_test"
DB_USER = "apivigil"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server with an empty database; yields its postgresql:// URL."""
    bin_dir = postgres_bin()
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="apivigil-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(base, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", free_port()

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command[0]} failed: {done.stdout}{done.stderr}"

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust", "-E", "UTF8",
        "--no-sync")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w",
        "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user={DB_USER} dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {DB_NAME}")
        yield f"postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[str]:
    """A Redis server (no persistence); yields its redis:// URL."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server (Debian package redis-server)")
    assert binary is not None
    base = Path(tempfile.mkdtemp(prefix="apivigil-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(base), "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(base, ignore_errors=True)
