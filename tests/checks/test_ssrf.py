"""ssrf.*: real fetcher APIs (Flask and FastAPI) on 127.0.0.1, proven by the callback server."""

from __future__ import annotations

import pytest

from tests.fixtures.apps.fetchers import SPEC_PREVIEW, metadata_app, preview_fastapi, preview_flask
from tests.support import above_low, outcome

SSRF = {"checks": ("ssrf",)}


def summary(report):
    return {(f.id, f.severity.value, f.parameter) for f in report.findings}


@pytest.fixture
def metadata(serve):
    return serve(metadata_app())


def test_flask_fetcher_without_allow_list_is_flagged(serve, run_scan, tmp_spec, metadata):
    api = serve(preview_flask(vulnerable=True, metadata_origin=metadata.url))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), **SSRF)
    assert summary(report) == {
        ("ssrf.callback-fetched", "high", "query url"),
        ("ssrf.cloud-metadata", "critical", "query url"),
        ("ssrf.internal-connection", "medium", "query url"),
        ("ssrf.file-read", "critical", "query url"),
    }
    fetched = next(f for f in report.findings if f.id == "ssrf.callback-fetched")
    assert fetched.path == "/api/preview"
    assert fetched.evidence.data["callback_method"] == "GET"
    assert "Python-urllib" in str(fetched.evidence.data["user_agent"])
    assert outcome(report, "ssrf.server-side-request-forgery") == "completed"
    categories = {c.category.value: c for c in report.categories}
    assert categories["ssrf"].score is not None  # tested, no longer "not tested"


def test_flask_fetcher_with_allow_list_is_silent(serve, run_scan, tmp_spec, metadata):
    api = serve(preview_flask(vulnerable=False, metadata_origin=metadata.url))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), **SSRF)
    assert above_low(report) == []
    assert report.findings == []
    assert outcome(report, "ssrf.server-side-request-forgery") == "completed"
    assert report.checks[0].requests >= 8  # control, callback, variants, content probes


def test_fastapi_fetcher_is_flagged_through_its_discovered_spec(serve_asgi, run_scan, metadata):
    api_url = serve_asgi(preview_fastapi(vulnerable=True, metadata_origin=metadata.url))
    report = run_scan(api_url, **SSRF)
    assert summary(report) == {
        ("ssrf.callback-fetched", "high", "query url"),
        ("ssrf.cloud-metadata", "critical", "query url"),
        ("ssrf.internal-connection", "medium", "query url"),
        ("ssrf.scheme-not-restricted", "low", "query url"),
    }
    fetched = next(f for f in report.findings if f.id == "ssrf.callback-fetched")
    assert "python-httpx" in str(fetched.evidence.data["user_agent"])


def test_fastapi_fetcher_with_allow_list_is_silent(serve_asgi, run_scan, metadata):
    api_url = serve_asgi(preview_fastapi(vulnerable=False, metadata_origin=metadata.url))
    report = run_scan(api_url, **SSRF)
    assert report.findings == []
    assert outcome(report, "ssrf.server-side-request-forgery") == "completed"


def test_only_get_is_sent_for_query_inputs(serve, run_scan, tmp_spec, metadata):
    from tests.support import Recorder

    recorder = Recorder(preview_flask(vulnerable=True, metadata_origin=metadata.url))
    api = serve(recorder)
    run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), **SSRF)
    assert {r["method"] for r in recorder.requests} == {"GET"}
    assert any("url=http%3A%2F%2F127.0.0.1" in r["query"] for r in recorder.requests)


def test_json_body_url_fields_are_probed_only_with_unsafe_methods(serve_asgi, run_scan,
                                                                  metadata):
    api_url = serve_asgi(preview_fastapi(vulnerable=True, metadata_origin=metadata.url))
    safe = run_scan(api_url, **SSRF)
    assert "body feed_url" not in {f.parameter for f in safe.findings}
    intrusive = run_scan(api_url, allow_unsafe_methods=True, **SSRF)
    assert ("ssrf.callback-fetched", "high", "body feed_url") in summary(intrusive)
    fetched = next(f for f in intrusive.findings if f.parameter == "body feed_url")
    assert fetched.method == "POST" and fetched.path == "/api/imports"


def test_a_text_blocklist_is_bypassed_by_another_spelling(serve, run_scan, tmp_spec,
                                                          metadata):
    api = serve(preview_flask(vulnerable=True, metadata_origin=metadata.url, blocklist=True))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PREVIEW), **SSRF)
    assert ("ssrf.filter-bypass", "high", "query url") in summary(report)
    assert "ssrf.callback-fetched" not in {f.id for f in report.findings}
    bypass = next(f for f in report.findings if f.id == "ssrf.filter-bypass")
    assert bypass.evidence.data["variant"] == "decimal"


def test_an_asynchronous_fetch_is_caught_by_the_bounded_final_wait(serve, run_scan, tmp_spec):
    from tests.fixtures.apps.fetchers import SPEC_PING

    api = serve(preview_flask(vulnerable=True))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PING), **SSRF)
    fetched = next(f for f in report.findings if f.id == "ssrf.callback-fetched")
    assert fetched.parameter == "query callback"
    assert fetched.evidence.data["late"] is True


def test_an_asynchronous_endpoint_with_an_allow_list_is_silent(serve, run_scan, tmp_spec):
    from tests.fixtures.apps.fetchers import SPEC_PING

    api = serve(preview_flask(vulnerable=False))
    report = run_scan(api.url, spec=tmp_spec(SPEC_PING), **SSRF)
    assert report.findings == []
    assert outcome(report, "ssrf.server-side-request-forgery") == "completed"
