"""Hostile targets (huge, slow, malformed, lying): a clear error or a finished scan, no crash."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time

import pytest

from tests.support import RawServer

APIVIGIL = [sys.executable, "-m", "apivigil"]


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*APIVIGIL, *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


@pytest.fixture
def raw_server():
    servers = []

    def start(handler):
        server = RawServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_garbage_instead_of_http_is_a_clear_error(raw_server):
    server = raw_server(lambda conn: conn.sendall(b"\x00\xffNOT HTTP AT ALL\r\n\r\n"))
    result = run_cli("scan", server.url + "/", "--timeout", "2")
    assert result.returncode == 3
    assert result.stderr.startswith("apivigil: error: cannot reach")
    assert "Traceback" not in result.stderr + result.stdout


def test_server_that_never_answers_times_out_cleanly(raw_server):
    server = raw_server(lambda conn: time.sleep(4))
    result = run_cli("scan", server.url + "/", "--timeout", "1")
    assert result.returncode == 3
    assert "timed out" in result.stderr
    assert "Traceback" not in result.stderr


def test_lying_content_length_is_survived(raw_server):
    def liar(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n"
                     b"Content-Type: application/json\r\n\r\n{\"ok\": true}")

    server = raw_server(liar)
    result = run_cli("scan", server.url + "/", "--timeout", "2", "--format", "json")
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 3)
    if result.returncode == 3:
        assert "apivigil: error:" in result.stderr


def test_trickling_body_is_cut_off(raw_server):
    def trickle(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(20):
            conn.sendall(b"x")
            time.sleep(0.4)

    server = raw_server(trickle)
    started = time.monotonic()
    result = run_cli("scan", server.url + "/", "--timeout", "1")
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


def test_compression_bomb_is_capped(raw_server):
    bomb = gzip.compress(b"\x00" * (64 * 1024 * 1024))  # 64 MiB of zeros, ~64 KiB on the wire

    def send_bomb(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: " + str(len(bomb)).encode() + b"\r\n\r\n" + bomb)

    server = raw_server(send_bomb)
    result = run_cli("scan", server.url + "/", "--timeout", "3", "--format", "json",
                     "--checks", "encryption.cleartext")
    assert result.returncode == 0, result.stderr
    assert '"requests"' in result.stdout
