"""encryption.spec-transport: credential schemes vs http:// servers and cleartext serving."""

from __future__ import annotations

from tests.fixtures.apps.basic import protected_api, redirect_to
from tests.fixtures.apps.spec_apps import transport_spec
from tests.support import port_of

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


def test_spec_without_any_https_server_is_low(serve, run_scan, tmp_spec):
    https = serve(protected_api(), tls="modern")
    document = transport_spec(https.url, None)
    document["servers"] = [{"url": "/api"}]
    report = run_scan(https.url, spec=tmp_spec(document), http_port=1, **CHECK)
    assert [(f.id, f.severity.value) for f in report.findings] == [
        ("encryption.spec-no-https-server", "low")]


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
