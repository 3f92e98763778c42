"""The probe client's safety and politeness rules, against real servers on 127.0.0.1."""

from __future__ import annotations

import time

import pytest
from flask import Flask, Response, jsonify, redirect, request

from apivigil.core.errors import (
    BudgetExhaustedError,
    CleartextCredentialError,
    OutOfScopeError,
    ProbeError,
)
from apivigil.core.redaction import Redactor
from apivigil.http.client import ClientLimits, ProbeClient, TlsSettings
from tests.support import Recorder


def client(**limits) -> ProbeClient:
    redactor = Redactor()
    redactor.add_basic_credential("alice", "s3cret-pass")
    limits.setdefault("rate", 0)
    limits.setdefault("timeout", 2.0)
    return ProbeClient("127.0.0.1", ClientLimits(**limits), TlsSettings(), redactor)


def app_with_counter() -> tuple[Flask, list[float]]:
    app = Flask("counter")
    hits: list[float] = []

    @app.get("/")
    def index():
        hits.append(time.monotonic())
        return jsonify(ok=True)

    return app, hits


def test_refuses_other_hosts_before_sending_anything():
    with pytest.raises(OutOfScopeError, match="refused to leave the target host"):
        client().get("https://example.com/")


def test_budget_is_enforced(serve):
    server = serve(app_with_counter()[0])
    probe = client(max_requests=3)
    for _ in range(3):
        probe.get(server.url + "/")
    with pytest.raises(BudgetExhaustedError, match="budget of 3"):
        probe.get(server.url + "/")
    assert probe.requests_sent == 3


def test_unsafe_methods_refused_by_default(serve):
    app, hits = app_with_counter()
    server = serve(app)
    with pytest.raises(ProbeError, match="POST is not a safe method"):
        client().request("POST", server.url + "/")
    assert hits == []


def test_supplied_credentials_never_go_over_cleartext(serve):
    recorder = Recorder(app_with_counter()[0])
    server = serve(recorder)
    from apivigil.core.config import basic_header

    with pytest.raises(CleartextCredentialError, match="cleartext HTTP"):
        client().get(server.url + "/", headers={"Authorization": basic_header("alice",
                                                                             "s3cret-pass")})
    assert recorder.requests == []


def test_short_retry_after_is_waited_out_once(serve):
    app = Flask("throttled")
    calls: list[float] = []

    @app.get("/")
    def index():
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return jsonify(ok=True)

    server = serve(app)
    response = client().get(server.url + "/")
    assert response.status == 200
    assert len(calls) == 2
    assert calls[1] - calls[0] >= 0.9  # the server saw the pause it asked for


def test_long_retry_after_is_returned_not_waited(serve):
    app = Flask("locked")
    app.get("/")(lambda: Response("locked", status=429, headers={"Retry-After": "3600"}))
    server = serve(app)
    response = client().get(server.url + "/")
    assert response.status == 429


def test_accept_throttling_returns_429_immediately(serve):
    app = Flask("limited")
    calls = []

    @app.get("/")
    def index():
        calls.append(1)
        return Response("no", status=429, headers={"Retry-After": "1"})

    server = serve(app)
    assert client().get(server.url + "/", accept_throttling=True).status == 429
    assert len(calls) == 1


def test_rate_spaces_requests(serve):
    app, hits = app_with_counter()
    server = serve(app)
    probe = client(rate=10)
    started = time.monotonic()
    for _ in range(4):
        probe.get(server.url + "/")
    # 10 requests per second: 4 requests cannot all be sent in less than 3 intervals of 0.1 s
    # (a lower bound, which load on the machine can only lengthen, never break).
    assert time.monotonic() - started >= 0.29
    assert len(hits) == 4


def test_response_body_is_capped(serve):
    app = Flask("huge")

    @app.get("/")
    def huge():
        def chunks():
            for _ in range(64):
                yield b"x" * 65536  # 4 MiB in all

        return Response(chunks(), mimetype="text/plain")

    server = serve(app)
    response = client(max_body_bytes=1024 * 1024).get(server.url + "/")
    assert response.truncated
    assert len(response.body) == 1024 * 1024


def test_redirect_to_another_host_is_not_followed(serve):
    app = Flask("redir")
    app.get("/")(lambda: redirect("https://example.com/steal", code=302))
    server = serve(app)
    probe = client()
    first = probe.get(server.url + "/")
    assert first.is_redirect
    assert list(probe.follow(first)) == []
    assert probe.requests_sent == 1


def test_exchanges_are_recorded_redacted(serve):
    app = Flask("echo")
    app.get("/")(lambda: jsonify(auth=request.headers.get("Authorization", "")))
    server = serve(app, tls="modern")
    from apivigil.core.config import basic_header
    from apivigil.demo.server import CertificateAuthority  # noqa: F401 - fixture CA in use

    probe = ProbeClient("127.0.0.1", ClientLimits(rate=0), TlsSettings(insecure=True),
                        client().redactor)
    response = probe.get(server.url + "/",
                         headers={"Authorization": basic_header("alice", "s3cret-pass")})
    assert b"YWxpY2U6czNjcmV0LXBhc3M" in response.body  # the raw body does echo it...
    record = response.exchange.request_text() + response.exchange.response_text()
    assert "s3cret-pass" not in record
    assert "YWxpY2U6czNjcmV0LXBhc3M" not in record  # ...the recorded evidence never does
    assert "[REDACTED]" in record


def test_cacert_that_is_not_pem_is_a_usage_error(tmp_path):
    from apivigil.core.errors import ExitCode, UsageError
    from apivigil.http.client import TlsSettings, build_ssl_context

    not_pem = tmp_path / "ca.der"
    not_pem.write_bytes(b"\x30\x82\x01\x0a not a certificate")
    with pytest.raises(UsageError, match="not a readable PEM file") as caught:
        build_ssl_context(TlsSettings(cacert=str(not_pem)))
    assert caught.value.exit_code is ExitCode.USAGE


def test_a_retry_after_429_counts_against_the_budget(serve):
    app = Flask("throttled-once")
    calls: list[float] = []

    @app.get("/")
    def index():
        calls.append(time.monotonic())
        return Response("slow down", status=429, headers={"Retry-After": "1"})

    server = serve(app)
    probe = client(max_requests=1)
    response = probe.get(server.url + "/")
    assert response.status == 429  # no budget left for the retry: the 429 is the answer
    assert len(calls) == 1 and probe.requests_sent == 1


def test_503_with_retry_after_is_throttling_and_remembered(serve):
    app = Flask("maintenance")
    app.get("/")(lambda: Response("busy", status=503, headers={"Retry-After": "30"}))
    server = serve(app)
    probe = client()
    assert probe.get(server.url + "/").status == 503
    assert 25 < probe.throttled_for <= 30  # the engine waits this out before credential checks
