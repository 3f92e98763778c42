"""encryption.spec-transport: credential schemes vs http:// servers and cleartext serving."""

from __future__ import annotations

from fastapi import FastAPI

from tests.fixtures.apps.basic import protected_api, redirect_to
from tests.fixtures.apps.spec_apps import keyed_fastapi, transport_spec
from tests.support import assert_completed, port_of

CHECK = {"checks": ("encryption.spec-transport",)}


def test_http_server_in_spec_and_cleartext_twin_are_high(serve, run_scan, tmp_spec):
    https = serve(protected_api(), tls="modern")
    http = serve(protected_api())  # the cleartext twin serves the API as well
    spec = tmp_spec(transport_spec(https.url, http.url))
    report = run_scan(https.url, spec=spec, http_port=port_of(http.url), **CHECK)
    found = {(f.id, f.severity.value, f.category.value) for f in report.findings}
    assert found == {
        ("encryption.spec-credentials-over-http", "high", "encryption"),
        ("encryption.spec-cleartext-served", "high", "encryption"),
    }
    static = next(f for f in report.findings if f.id.endswith("credentials-over-http"))
    assert static.evidence.data["servers"] == [http.url]
    assert static.evidence.data["schemes"] == ["basic (http basic)"]
    assert "basic (http basic)" in static.description and http.url in static.description
    runtime = next(f for f in report.findings if f.id.endswith("cleartext-served"))
    assert (runtime.method, runtime.path) == ("GET", "/api/data")
    assert runtime.url.startswith("http://")


def test_https_only_spec_with_redirecting_twin_is_silent(serve, run_scan, tmp_spec):
    https = serve(protected_api(), tls="modern")
    http = serve(redirect_to(https.url))
    spec = tmp_spec(transport_spec(https.url, None))
    report = run_scan(https.url, spec=spec, http_port=port_of(http.url), **CHECK)
    assert report.findings == []
    assert report.checks[0].requests == 1
    assert_completed(report)


def test_fastapi_spec_without_servers_served_over_https_is_silent(serve_asgi, run_scan):
    """No `servers` means "/", relative to where the spec is served: here https://."""
    url = serve_asgi(keyed_fastapi())
    report = run_scan(url + "/", http_port=1, **CHECK)  # the spec found at /openapi.json
    assert_completed(report)
    assert report.findings == []


def test_relative_server_of_a_mounted_fastapi_app_served_over_https_is_silent(serve_asgi,
                                                                              run_scan):
    outer = FastAPI()
    outer.mount("/api/v1", keyed_fastapi())  # its spec lists the server "/api/v1"
    url = serve_asgi(outer)
    report = run_scan(url + "/api/v1", spec=url + "/api/v1/openapi.json",
                      http_port=1, **CHECK)
    assert_completed(report)
    assert report.findings == []


def test_fastapi_spec_with_only_an_http_server_is_high(serve_asgi, run_scan):
    url = serve_asgi(keyed_fastapi(servers=[{"url": "http://127.0.0.1:1"}]))
    report = run_scan(url + "/", http_port=1, **CHECK)
    assert [(f.id, f.severity.value) for f in report.findings] == [
        ("encryption.spec-credentials-over-http", "high")]
    assert report.findings[0].evidence.data["servers"] == ["http://127.0.0.1:1"]


def test_spec_fetched_over_http_without_servers_is_low(serve_asgi, run_scan):
    """Fetched over http://, "/" resolves to http://; the API answering there is the high."""
    https = serve_asgi(keyed_fastapi())
    http = serve_asgi(keyed_fastapi(), tls=False)
    report = run_scan(https + "/", spec=http + "/openapi.json", http_port=port_of(http),
                      **CHECK)
    assert {(f.id, f.severity.value) for f in report.findings} == {
        ("encryption.spec-no-https-server", "low"), ("encryption.spec-cleartext-served", "high")}
    low = next(f for f in report.findings if f.id.endswith("no-https-server"))
    assert low.evidence.data["resolved"] == [http + "/"]
    assert f"resolve to {http}/" in low.description


def test_relative_servers_in_a_spec_file_are_not_judged(serve, run_scan, tmp_spec):
    """A file is not served from anywhere: its "/api" may be https:// or http://."""
    https = serve(protected_api(), tls="modern")
    document = transport_spec(https.url, None)
    document["servers"] = [{"url": "/api"}]
    report = run_scan(https.url, spec=tmp_spec(document), http_port=1, **CHECK)
    assert_completed(report)
    assert report.findings == []


def test_https_only_spec_served_over_http_without_credentials_is_medium(serve, run_scan,
                                                                         tmp_spec):
    https = serve(protected_api(), tls="modern")
    http = serve(protected_api())
    document = transport_spec(https.url, None)
    del document["security"], document["components"]
    report = run_scan(https.url, spec=tmp_spec(document), http_port=port_of(http.url), **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value) == ("encryption.spec-cleartext-served", "medium")
    assert "lists only https:// servers" in finding.description
