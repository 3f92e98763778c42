"""unsafe_consumption.*: the callback server plays a hostile third party to real fetcher APIs."""

from __future__ import annotations

import socket

import pytest

from tests.fixtures.apps.fetchers import (
    SPEC_PREVIEW,
    careful_consumer_flask,
    metadata_app,
    preview_fastapi,
    preview_flask,
    typed_consumer_flask,
)
from tests.support import above_low, outcome

CONSUMPTION = {"checks": ("unsafe_consumption",)}


def summary(report):
    return {(f.id, f.severity.value, f.parameter) for f in report.findings}


@pytest.fixture
def metadata(serve):
    return serve(metadata_app())


def test_flask_consumer_that_trusts_everything_is_flagged(serve, run_scan, tmp_spec, metadata):
    api = serve(preview_flask(vulnerable=True, metadata_origin=metadata.url))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), **CONSUMPTION)
    assert summary(report) == {
        ("unsafe_consumption.cleartext-fetch", "low", "query url"),
        ("unsafe_consumption.template-evaluated", "high", "query url"),
        ("unsafe_consumption.reflected-content", "medium", "query url"),
        ("unsafe_consumption.json-trusted", "medium", "query url"),
        ("unsafe_consumption.redirect-followed", "high", "query url"),
        ("unsafe_consumption.no-time-limit", "medium", "query url"),
        ("unsafe_consumption.no-size-limit", "medium", "query url"),
    }
    assert outcome(report, "unsafe_consumption.fetched-content") == "completed"
    # the spec has no webhook registration: the passive check completed with nothing
    assert outcome(report, "unsafe_consumption.webhook-signing") == "completed"
    size = next(f for f in report.findings if f.id == "unsafe_consumption.no-size-limit")
    assert size.evidence.data["bytes_read"] == 32 * 1024 * 1024


def test_flask_consumer_with_allow_list_is_silent(serve, run_scan, tmp_spec, metadata):
    api = serve(preview_flask(vulnerable=False, metadata_origin=metadata.url))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), **CONSUMPTION)
    assert report.findings == []
    assert outcome(report, "unsafe_consumption.fetched-content") == "completed"


def test_fastapi_consumer_is_flagged_and_its_unsigned_webhook_too(serve_asgi, run_scan,
                                                                  metadata):
    api_url = serve_asgi(preview_fastapi(vulnerable=True, metadata_origin=metadata.url))
    report = run_scan(api_url, **CONSUMPTION)
    found = summary(report)
    assert ("unsafe_consumption.webhook-unsigned", "medium", "body callback_url") in found
    assert ("unsafe_consumption.template-evaluated", "high", "query url") in found
    assert ("unsafe_consumption.json-trusted", "medium", "query url") in found
    assert ("unsafe_consumption.redirect-followed", "high", "query url") in found
    assert ("unsafe_consumption.no-size-limit", "medium", "query url") in found


def test_fastapi_consumer_with_limits_and_signed_webhooks_is_silent(serve_asgi, run_scan,
                                                                    metadata):
    api_url = serve_asgi(preview_fastapi(vulnerable=False, metadata_origin=metadata.url))
    report = run_scan(api_url, **CONSUMPTION)
    assert above_low(report) == []
    assert report.findings == []
    assert outcome(report, "unsafe_consumption.fetched-content") == "completed"
    assert outcome(report, "unsafe_consumption.webhook-signing") == "completed"
    categories = {c.category.value: c for c in report.categories}
    assert categories["unsafe_consumption"].score == 100


def spare_port() -> int:
    """A free loopback port for the callback listener, so the app can name its partner."""
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        return spare.getsockname()[1]


def test_a_careful_consumer_that_does_fetch_is_judged_clean(serve, run_scan, tmp_spec):
    """Every hostile answer is fetched and handled: nothing above low (plain http is low)."""
    port = spare_port()
    api = serve(careful_consumer_flask(f"http://127.0.0.1:{port}"))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), callback_listen=f"127.0.0.1:{port}",
                      checks=("unsafe_consumption.fetched-content",))
    assert summary(report) == {("unsafe_consumption.cleartext-fetch", "low", "query url")}
    assert outcome(report, "unsafe_consumption.fetched-content") == "completed"
    assert report.checks[0].requests >= 6  # the callback probe and five hostile answers


@pytest.mark.parametrize("limits", [False, True], ids=["no-limits", "limits"])
def test_refusing_by_headers_is_no_limit(serve, run_scan, tmp_spec, limits):
    """The app refuses any type but JSON, and a Content-Length over 1 MiB, before reading: the
    slow and huge answers come as the JSON it accepted, the huge one with no length, so only
    real limits (the twin) keep it from reading them."""
    port = spare_port()
    api = serve(typed_consumer_flask(f"http://127.0.0.1:{port}", limits=limits))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), callback_listen=f"127.0.0.1:{port}",
                      checks=("unsafe_consumption.fetched-content",))
    expected = {("unsafe_consumption.cleartext-fetch", "low", "query url")}
    if not limits:
        expected |= {("unsafe_consumption.no-time-limit", "medium", "query url"),
                     ("unsafe_consumption.no-size-limit", "medium", "query url")}
    assert summary(report) == expected
    assert outcome(report, "unsafe_consumption.fetched-content") == "completed"
