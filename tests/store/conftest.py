"""Databases for the history tests: a SQLite file, and a real PostgreSQL server started here.

The PostgreSQL server is this test session's own: `initdb` into a temp dir, `pg_ctl start` on
127.0.0.1 and a free port, stopped and deleted at the end. PostgreSQL refuses to run as root,
so as root it runs as the `postgres` user that the Debian package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reporting.tools import postgres_bin

DB_NAME = "apivigil_test"
DB_USER = "apivigil"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    bin_dir = postgres_bin()
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="apivigil-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(base, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()

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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each history test runs against both databases."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    url: str = request.getfixturevalue("postgres_url")
    emptied(url)
    return url


def emptied(url: str) -> str:
    """Drop what an earlier test stored in the shared PostgreSQL database."""
    from sqlalchemy import create_engine

    from apivigil.store.history import _Base, resolve_url

    engine = create_engine(resolve_url(url))
    _Base.metadata.drop_all(engine)
    engine.dispose()
    return url
