"""encryption.cleartext against real HTTP and HTTPS servers on 127.0.0.1."""

from __future__ import annotations

from flask import Flask, jsonify

from tests.fixtures.apps.basic import PASSWORD, USER, protected_api, redirect_to
from tests.support import above_low, port_of, rule_ids

CHECK = {"checks": ("encryption.cleartext",)}


def test_basic_auth_served_over_http_is_critical(serve, run_scan):
    app = protected_api()
    https = serve(app, tls="modern")
    http = serve(app)
    report = run_scan(https.url + "/api/data", http_port=port_of(http.url), **CHECK)
    [finding] = report.findings
    assert finding.id == "encryption.cleartext-credentials"
    assert finding.severity.value == "critical"
    assert finding.url == http.url
    assert "Basic [REDACTED]" in (finding.evidence.request or "")


def test_public_api_over_http_is_high(serve, run_scan):
    app = Flask("public")
    app.get("/status")(lambda: jsonify(up=True))
    https = serve(app, tls="modern")
    http = serve(app)
    report = run_scan(https.url + "/status", http_port=port_of(http.url), **CHECK)
    assert [(f.id, f.severity.value) for f in report.findings] == [
        ("encryption.https-not-enforced", "high")]


def test_permanent_redirect_before_auth_is_silent(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    http = serve(redirect_to(https.url))
    report = run_scan(https.url + "/api/data", http_port=port_of(http.url),
                      credentials=_creds(), **CHECK)
    assert above_low(report) == []
    assert rule_ids(report) == set()


def test_nothing_listening_on_http_is_silent(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    closed = serve(protected_api())
    port = port_of(closed.url)
    closed.stop()
    report = run_scan(https.url + "/api/data", http_port=port, **CHECK)
    assert report.findings == []
    assert report.checks[0].status.value == "completed"


def _creds():
    from apivigil.core.config import Credentials

    return Credentials(USER, PASSWORD)


def test_wording_fits_the_scheme(serve, run_scan):
    """A bearer-token API over http:// is not told its "Basic credentials" are base64."""
    from apivigil.core.config import Credentials, LoginOptions
    from tests.fixtures.apps.tokens import PASSWORD as TOKEN_PASSWORD
    from tests.fixtures.apps.tokens import USER as TOKEN_USER
    from tests.fixtures.apps.tokens import jwt_api

    app = jwt_api()
    https = serve(app, tls="modern")
    http = serve(app)
    report = run_scan(https.url, http_port=port_of(http.url), **CHECK,
                      credentials=Credentials(TOKEN_USER, TOKEN_PASSWORD),
                      login=LoginOptions(path="/api/login"))
    [finding] = report.findings
    assert finding.id == "encryption.cleartext-credentials"
    assert "bearer tokens travel as they are" in finding.description
    assert "the login POST carries the password itself" in finding.description
    assert "base64" not in finding.description
    basic = run_scan(serve(protected_api(), tls="modern").url + "/api/data",
                     http_port=port_of(serve(protected_api()).url), **CHECK)
    assert "Basic credentials are only base64-encoded" in basic.findings[0].description
