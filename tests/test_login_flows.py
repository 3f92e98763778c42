"""Credential kinds and login flows, against real token APIs on loopback.

Each test asserts what a user would see: the scan ran as the identity (a check that needs
credentials completed, and the server saw the token, key or cookie), the report never holds
the password or the issued token, and a login that cannot work stops the scan (exit 3) with
one sentence naming the identity and the step.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import ClassVar

import pytest

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.registry import Registry
from apivigil.core.config import Credentials, Identity, LoginOptions, ScanOptions
from apivigil.core.errors import ScanError
from apivigil.core.models import Category, Finding, Owasp, Severity
from apivigil.engine.runner import Scanner
from tests.fixtures.apps.oauth import oauth_api
from tests.fixtures.apps.tokens import (
    API_KEY,
    OTHER,
    OTHER_PASSWORD,
    PASSWORD,
    USER,
    apikey_api,
    cookie_api,
    jwt_api,
)
from tests.support import Recorder, outcome

CREDS = Credentials(USER, PASSWORD)
LOGIN = LoginOptions(path="/api/login")
NEEDS_CREDENTIALS = "data_exposure.cache-control"


def _no_secret(report_json: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in report_json


def test_json_login_issues_a_bearer_token_used_by_every_check(serve, run_scan):
    app = jwt_api()
    recorder = Recorder(app)
    https = serve(recorder, tls="modern")
    report = run_scan(https.url, credentials=CREDS, login=LOGIN, checks=(NEEDS_CREDENTIALS,))
    assert outcome(report, NEEDS_CREDENTIALS) == "completed"
    [token] = app.config["ISSUED"]
    assert any(r["authorization"] == f"Bearer {token}" for r in recorder.requests)
    assert any("identity 'user' logged in with POST /api/login" in n and "bearer token" in n
               for n in report.notices)
    _no_secret(report.model_dump_json(), PASSWORD, token, token.split(".")[2],
               *app.config["REFRESH"])


def test_oauth2_password_flow_from_the_spec_is_used_by_itself(serve_asgi, run_scan):
    url = serve_asgi(oauth_api())
    report = run_scan(url, credentials=CREDS, checks=(NEEDS_CREDENTIALS,))
    assert outcome(report, NEEDS_CREDENTIALS) == "completed"
    assert any("POST /token (the spec's OAuth2 password flow 'OAuth2PasswordBearer')" in n
               for n in report.notices)
    assert PASSWORD not in report.model_dump_json()


def test_oauth2_wrong_password_is_exit_3_naming_the_identity_and_step(serve_asgi, run_scan):
    url = serve_asgi(oauth_api())
    with pytest.raises(ScanError) as error:
        run_scan(url, identities=(Identity.parse(f"bob=bob:{PASSWORD}-not"),))
    message = str(error.value)
    assert "identity 'bob': login POST /token" in message and "HTTP 401" in message
    assert PASSWORD not in message


def test_every_identity_logs_in_with_its_own_password(serve, run_scan):
    app = jwt_api()
    https = serve(app, tls="modern")
    run_scan(https.url, login=LOGIN, checks=(NEEDS_CREDENTIALS,),
             identities=(Identity.parse(f"alice={USER}:{PASSWORD}"),
                         Identity.parse(f"bob={OTHER}:{OTHER_PASSWORD}")))
    assert app.config["LOGINS"] == 2


@pytest.mark.parametrize("location", ["header", "query", "cookie"])
def test_api_key_goes_where_the_spec_declares_it(serve, run_scan, location):
    app = apikey_api(location, name="api_key" if location != "header" else "X-API-Key")
    https = serve(app, tls="modern")
    report = run_scan(https.url, user_credential=Identity.from_credential("user",
                      f"apikey:{API_KEY}"), checks=(NEEDS_CREDENTIALS,))
    assert outcome(report, NEEDS_CREDENTIALS) == "completed"
    assert any(r["key"] == API_KEY for r in app.config["RECEIVED"])
    if location != "query":
        assert all(API_KEY not in r["url"] for r in app.config["RECEIVED"])
    _no_secret(report.model_dump_json(), API_KEY)


def test_session_cookie_login(serve, run_scan):
    app = cookie_api()
    https = serve(app, tls="modern")
    report = run_scan(https.url, credentials=CREDS, login=LOGIN, checks=(NEEDS_CREDENTIALS,))
    assert outcome(report, NEEDS_CREDENTIALS) == "completed"
    assert any("requests carry its session cookie" in n for n in report.notices)
    [session] = app.config["SESSIONS"]
    _no_secret(report.model_dump_json(), PASSWORD, session)


def test_bearer_identity_counts_as_a_credential(serve, run_scan):
    app = jwt_api()
    https = serve(app, tls="modern")
    import jwt as pyjwt

    # a token the user pasted, signed by nobody: rejected at verification (exit 3)
    forged = pyjwt.encode({"sub": USER, "exp": int(time.time()) + 60}, "x" * 32)
    with pytest.raises(ScanError, match="were rejected"):
        run_scan(https.url, user_credential=Identity.from_credential("user", f"bearer:{forged}"))


def test_login_over_cleartext_is_never_attempted(serve, run_scan):
    app = jwt_api()
    http = serve(app)
    report = run_scan(http.url, credentials=CREDS, login=LOGIN, checks=(NEEDS_CREDENTIALS,))
    assert app.config["LOGINS"] == 0
    assert outcome(report, NEEDS_CREDENTIALS) == "skipped"
    assert any("credentials withheld" in n and "no login (POST /api/login)" in n
               for n in report.notices)


def test_login_over_cleartext_when_allowed(serve, run_scan):
    app = jwt_api()
    http = serve(app)
    report = run_scan(http.url, credentials=CREDS, login=LOGIN, checks=(NEEDS_CREDENTIALS,),
                      allow_cleartext_credentials=True)
    assert app.config["LOGINS"] == 1
    assert outcome(report, NEEDS_CREDENTIALS) == "completed"


def test_login_without_a_token_names_the_option_to_use(serve, run_scan):
    https = serve(jwt_api(), tls="modern")
    with pytest.raises(ScanError) as error:
        run_scan(https.url, credentials=CREDS,
                 login=LoginOptions(path="/api/login", token_field="no_such_field"))
    assert "no token (looked for no_such_field; name it with --login-token FIELD)" in \
        str(error.value)


def test_throttled_login_is_a_clear_error(serve, run_scan):
    https = serve(jwt_api(throttle_after=0), tls="modern")
    with pytest.raises(ScanError, match=r"identity 'user': login POST /api/login .*throttled"):
        run_scan(https.url, credentials=CREDS, login=LOGIN)


def test_login_body_template(serve, run_scan):
    app = jwt_api()
    https = serve(app, tls="modern")
    template = '{"username": "{user}", "password": "{password}", "remember": true}'
    run_scan(https.url, credentials=CREDS, checks=(NEEDS_CREDENTIALS,),
             login=LoginOptions(path="/api/login", body_template=template))
    assert app.config["LOGINS"] == 1


SEEN_BY_SLOW_CHECK: list[int] = []


class _SlowAuthenticatedGets(Check):
    """Test-only: authenticated GETs spread over longer than the token lives."""

    meta: ClassVar[CheckMeta] = CheckMeta(
        id="test.slow-gets", title="slow", category=Category.AUTHENTICATION, cwe=(287,),
        owasp=(Owasp.API2,), severity=Severity.INFO, sends="GETs", needs_credentials=True)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        url = ctx.target.origin("https") + "/api/me"
        headers = ctx.auth_headers()  # built once, like real checks: renewal is invisible
        for _ in range(4):
            SEEN_BY_SLOW_CHECK.append(ctx.http.get(url, headers=headers).status)
            time.sleep(2.2)
        yield from ()


def test_an_opaque_session_refused_mid_scan_is_renewed(serve, authority):
    """A session cookie has no exp to read: a 401 where it worked is the sign."""
    app = cookie_api(lifetime=3)
    https = serve(app, tls="modern")
    options = ScanOptions(url=https.url, credentials=CREDS, login=LOGIN, rate=0.0,
                          cacert=str(authority.ca_path))
    SEEN_BY_SLOW_CHECK.clear()
    report = Scanner(options, registry=Registry((_SlowAuthenticatedGets,))).run()
    assert SEEN_BY_SLOW_CHECK == [200, 200, 200, 200]
    assert len(app.config["SESSIONS"]) >= 2
    assert any("session cookie expired during the scan and was renewed" in n
               for n in report.notices)
    _no_secret(report.model_dump_json(), *app.config["SESSIONS"])


def test_a_token_that_expires_mid_scan_is_renewed_and_reported(serve, authority):
    app = jwt_api(lifetime=5)
    recorder = Recorder(app)
    https = serve(recorder, tls="modern")
    options = ScanOptions(url=https.url, credentials=CREDS, login=LOGIN, rate=0.0,
                          cacert=str(authority.ca_path))
    SEEN_BY_SLOW_CHECK.clear()
    report = Scanner(options, registry=Registry((_SlowAuthenticatedGets,))).run()
    me = [r for r in recorder.requests if r["path"] == "/api/me"]
    assert SEEN_BY_SLOW_CHECK == [200, 200, 200, 200]
    assert app.config["LOGINS"] >= 2
    # every GET of the check carried a token the server still accepted
    assert len({r["authorization"] for r in me}) >= 2
    assert any("expired during the scan and was renewed" in n for n in report.notices)
    _no_secret(report.model_dump_json(), *app.config["ISSUED"])


def test_cli_login_and_token_kinds(serve, authority):
    """The options a user types: --login with -u, and -u bearer:TOKEN, on the command line."""
    import json
    import subprocess
    import sys

    app = jwt_api()
    https = serve(app, tls="modern")
    base = [sys.executable, "-m", "apivigil", "scan", https.url, "--cacert",
            str(authority.ca_path), "--rate", "0", "--no-store", "--format", "json",
            "--checks", NEEDS_CREDENTIALS]
    result = subprocess.run([*base, "-u", f"{USER}:{PASSWORD}", "--login", "/api/login"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["checks"][0]["status"] == "completed"
    [token] = app.config["ISSUED"]
    assert token not in result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    result = subprocess.run([*base, "-u", f"bearer:{token}"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    # a token given as it is counts as a credential for a check that needs one
    assert json.loads(result.stdout)["checks"][0]["status"] == "completed"
    assert token not in result.stdout + result.stderr
    result = subprocess.run([*base, "-u", f"{USER}:nope", "--login", "/api/login"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 3
    assert "apivigil: error: identity 'user': login POST /api/login (--login) failed: HTTP 401" \
        in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_login_body_shapes_the_oauth2_token_request(serve_asgi, run_scan):
    url = serve_asgi(oauth_api())
    template = "grant_type=password&username={user}&password={password}&client_id=apivigil"
    report = run_scan(url, credentials=CREDS, checks=(NEEDS_CREDENTIALS,),
                      login=LoginOptions(body_template=template))
    assert outcome(report, NEEDS_CREDENTIALS) == "completed"
    assert any("the spec's OAuth2 password flow" in n for n in report.notices)
