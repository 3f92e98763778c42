"""encryption.https-enforcement: cleartext sides that redirect, but badly (real servers)."""

from __future__ import annotations

from flask import Flask, jsonify, request

from tests.fixtures.apps.basic import protected_api, redirect_to
from tests.fixtures.apps.encryption import (
    auth_before_redirect,
    partial_redirect,
    redirect_within_http,
)
from tests.support import port_of

FAMILY_HTTP = {"checks": ("encryption.https-enforcement", "encryption.cleartext")}


def scan(run_scan, https, http, path="/api/data"):
    return run_scan(https.url + path, http_port=port_of(http.url), **FAMILY_HTTP)


def findings(report):
    return [(f.id, f.severity.value) for f in report.findings]


def test_redirect_after_a_401_challenge_is_critical(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    http = serve(auth_before_redirect(https.url))
    report = scan(run_scan, https, http)
    assert findings(report) == [("encryption.redirect-after-auth", "critical")]
    finding = report.findings[0]
    assert finding.evidence.data["asks_credentials"] == ["/api/data"]
    assert finding.evidence.data["redirects"] == ["/"]
    assert "www-authenticate: basic" in (finding.evidence.response or "").lower()
    assert "username and password" in finding.description


def test_temporary_redirect_is_low(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    http = serve(redirect_to(https.url, status=302))
    report = scan(run_scan, https, http)
    assert findings(report) == [("encryption.redirect-not-permanent", "low")]
    assert report.findings[0].evidence.data["statuses"] == ["302"]


def test_redirect_to_another_host_is_not_followed(serve, run_scan):
    hits = []
    app = protected_api()
    app.before_request(lambda: hits.append(request.host) and None)
    https = serve(app, tls="modern")
    other_host = https.url.replace("127.0.0.1", "localhost")  # same server, another name
    http = serve(redirect_to(other_host))
    report = scan(run_scan, https, http)
    assert findings(report) == [("encryption.redirect-off-host", "medium")]
    assert report.findings[0].evidence.data["locations"] == [other_host.split("//")[1]]
    assert hits  # the scan did reach this server under its own name...
    assert not [h for h in hits if h.startswith("localhost")]  # ...but never followed there


def test_redirect_that_stays_on_http_is_high(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    http = serve(redirect_within_http())
    report = scan(run_scan, https, http)
    assert findings(report) == [("encryption.redirect-to-http", "high")]
    assert report.findings[0].evidence.data["never_https"] is True


def test_some_paths_served_over_http_is_high(serve, run_scan):
    https = serve(partial_redirect("https://127.0.0.1:1"), tls="modern")
    http = serve(partial_redirect(https.url))
    report = scan(run_scan, https, http, path="/api/public")
    assert findings(report) == [("encryption.partial-https-redirect", "high")]
    assert report.findings[0].evidence.data["served_over_http"] == ["/api/public"]


def test_http_twin_that_serves_is_left_to_the_cleartext_check(serve, run_scan):
    app = protected_api()
    https = serve(app, tls="modern")
    http = serve(app)
    report = scan(run_scan, https, http)
    assert findings(report) == [("encryption.cleartext-credentials", "critical")]


def test_permanent_redirect_before_auth_is_silent(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    http = serve(redirect_to(https.url))
    report = scan(run_scan, https, http)
    assert report.findings == []
    assert {o.status.value for o in report.checks} == {"completed"}


def test_public_root_redirect_and_public_api_json(serve, run_scan):
    """False-positive guard: a 308 for every path, including a JSON API, is silent."""
    app = Flask("json")
    app.get("/status")(lambda: jsonify(up=True))
    https = serve(app, tls="modern")
    http = serve(redirect_to(https.url, status=301))
    report = scan(run_scan, https, http, path="/status")
    assert report.findings == []


def test_redirect_only_once_a_credential_was_sent_is_critical(serve, run_scan):
    """Every path challenges; any Authorization header (even a wrong one) gets the redirect."""
    from werkzeug.wrappers import Request
    from werkzeug.wrappers import Response as WsgiResponse

    https = serve(protected_api(), tls="modern")

    def http_side(environ, start_response):
        req = Request(environ)
        if "Authorization" not in req.headers:
            return WsgiResponse("", status=401, headers={
                "WWW-Authenticate": 'Basic realm="api"'})(environ, start_response)
        return WsgiResponse("", status=308, headers={
            "Location": https.url + req.full_path.rstrip("?")})(environ, start_response)

    http = serve(http_side)
    report = scan(run_scan, https, http)
    assert findings(report) == [("encryption.redirect-after-auth", "critical")]
    assert "only once a credential has been sent" in report.findings[0].description
    assert report.findings[0].evidence.data["redirects"] == []


def _redirect_keeping_the_port(environ, start_response):
    """The cleartext side redirects to https:// on its own (plain HTTP) port."""
    from werkzeug.wrappers import Response as WsgiResponse

    location = f"https://{environ['HTTP_HOST']}{environ.get('PATH_INFO', '/')}"
    return WsgiResponse("", status=301, headers={"Location": location})(environ, start_response)


def test_redirect_to_https_on_the_cleartext_port_is_high(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    http = serve(_redirect_keeping_the_port)
    report = scan(run_scan, https, http)
    assert ("encryption.redirect-to-dead-https", "high") in findings(report)
    assert report.grade != "A"
    [dead] = [f for f in report.findings if f.id == "encryption.redirect-to-dead-https"]
    locations = dead.evidence.data["locations"]
    assert locations and all(loc.startswith(f"https://127.0.0.1:{port_of(http.url)}/")
                             for loc in locations)
