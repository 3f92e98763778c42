"""The scan's callback listener: records tokens, answers only, bounded, closed with the scan."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from apivigil.core.errors import UsageError
from apivigil.http.callback import MAX_WAIT_S, CallbackServer, Reply, parse_listen
from tests.fixtures.apps.fetchers import SPEC_PREVIEW, preview_flask
from tests.support import Recorder


def raw_request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(data)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_a_token_pins_an_interaction_to_one_input():
    with CallbackServer() as callbacks:
        probe = callbacks.issue("GET /api/preview", "query url")
        other = callbacks.issue("GET /api/preview", "query next")
        body = urllib.request.urlopen(probe.url).read()
        assert probe.token.encode() in body
        [hit] = callbacks.interactions(probe.token)
        assert (hit.method, hit.peer) == ("GET", "127.0.0.1")
        assert callbacks.interactions(other.token) == []
        assert (probe.operation, probe.parameter) == ("GET /api/preview", "query url")


def test_unknown_tokens_get_404():
    with CallbackServer() as callbacks:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(callbacks.base_url + "/av0000")
        assert error.value.code == 404


def test_it_never_proxies(serve):
    recorder = Recorder(preview_flask(vulnerable=False))
    elsewhere = serve(recorder)
    with CallbackServer() as callbacks:
        absolute = raw_request(callbacks.port, f"GET {elsewhere.url}/api/items HTTP/1.1\r\n"
                               "Host: x\r\n\r\n".encode())
        connect = raw_request(callbacks.port, f"CONNECT 127.0.0.1:{elsewhere.url[-5:]} "
                              "HTTP/1.1\r\n\r\n".encode())
    assert absolute.startswith(b"HTTP/1.0 400")
    assert connect.startswith(b"HTTP/1.0 405")
    assert recorder.requests == []


def test_connections_are_bounded():
    with CallbackServer(max_connections=2) as callbacks:
        idle = [socket.create_connection(("127.0.0.1", callbacks.port)) for _ in range(2)]
        time.sleep(0.2)
        extra = socket.create_connection(("127.0.0.1", callbacks.port))
        extra.settimeout(3)
        assert extra.recv(100) == b""  # closed at accept
        for conn in [*idle, extra]:
            conn.close()


def test_the_final_wait_is_bounded():
    with CallbackServer() as callbacks:
        probe = callbacks.issue("GET /x", "query url")
        started = time.monotonic()
        assert callbacks.wait_for([probe.token], timeout=30) == set()
        assert time.monotonic() - started < MAX_WAIT_S + 0.5


def test_hostile_replies_are_bounded_and_accounted():
    with CallbackServer() as callbacks:
        huge = callbacks.issue("GET /x", "query url", Reply(
            kind="huge", size=3 * 2**20, body=b'{"a": 1}', content_type="application/json"))
        with urllib.request.urlopen(huge.url) as answer:
            # no length announced, and still a JSON document (leading spaces are allowed)
            assert answer.headers["Content-Length"] is None
            body = answer.read()
        assert len(body) == 3 * 2**20 and json.loads(body) == {"a": 1}
        assert callbacks.delivery(huge.token) == (3 * 2**20, True)
        landing = callbacks.issue("GET /x", "query url")
        hop = callbacks.issue("GET /x", "query url",
                              Reply(kind="redirect",
                                    location=callbacks.internal_location(landing.token)))
        urllib.request.urlopen(hop.url).read()
        assert callbacks.interactions(landing.token)


def test_reachability_of_a_loopback_listener():
    with CallbackServer() as callbacks:
        assert callbacks.reachable_from("127.0.0.1")
        assert not callbacks.reachable_from("api.example.com")
    public = CallbackServer(public_url="https://cb.example.net/")
    assert public.reachable_from("api.example.com")
    assert public.base_url == "https://cb.example.net"


@pytest.mark.parametrize("value", ["nohost", "host:port", ":80", "1.2.3.4:70000"])
def test_bad_listen_addresses_are_usage_errors(value):
    with pytest.raises(UsageError):
        parse_listen(value)


def test_the_listener_is_closed_with_the_scan(serve, run_scan, tmp_spec):
    api = serve(preview_flask(vulnerable=True))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW),
                      checks=("ssrf.server-side-request-forgery",))
    fetched = next(f for f in report.findings if f.id == "ssrf.callback-fetched")
    port = int(str(fetched.description).split("127.0.0.1:")[1].split("/")[0])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_callback_listen_is_honoured(serve, run_scan, tmp_spec):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = serve(preview_flask(vulnerable=True))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), callback_listen=f"127.0.0.1:{port}",
                      checks=("ssrf.server-side-request-forgery",))
    fetched = next(f for f in report.findings if f.id == "ssrf.callback-fetched")
    assert f"127.0.0.1:{port}/" in fetched.description


@pytest.mark.parametrize(("args", "text"), [
    (("--callback-listen", "nope"), "--callback-listen must be HOST:PORT"),
    (("--callback-url", "ftp://x"), "--callback-url must be an http:// or https:// URL"),
    (("--llm-probes", "extreme"), "--llm-probes"),
])
def test_bad_callback_and_llm_options_exit_2(args, text):
    from tests.test_cli import run_cli

    result = run_cli("scan", "http://127.0.0.1:9/", *args)
    assert result.returncode == 2
    assert text in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_scan_with_callback_options_finds_ssrf(serve, tmp_spec):
    import json

    from tests.test_cli import run_cli

    api = serve(preview_flask(vulnerable=True))
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    result = run_cli("scan", api.url, "--spec", tmp_spec(SPEC_PREVIEW), "--checks", "ssrf",
                     "--callback-listen", f"127.0.0.1:{port}", "--llm-probes", "off",
                     "--format", "json", "--no-store", "--rate", "0")
    report = json.loads(result.stdout)
    assert "ssrf.callback-fetched" in {f["id"] for f in report["findings"]}
