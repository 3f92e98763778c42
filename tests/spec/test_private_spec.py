"""A spec behind authentication (an internal API's): fetched once more with the scan's
credential after a 401, and only from the target's own host over https://, never through a
redirect; without the credential the scan says it could not get the spec."""

from __future__ import annotations

import hmac

import pytest
from flask import Flask, Response, jsonify, redirect, request

from apivigil.core.config import Identity
from apivigil.core.errors import SpecError
from tests.support import Recorder, assert_completed

KEY = "internal-spec-key-7f3a"
KEYED = (("X-API-Key", KEY),)
CHECKS = ("inventory.spec-conformance", "inventory.public-spec")
SECURED = {"security": [{"key": []}],
           "responses": {"200": {"description": "ok"}, "401": {"description": "no key"}}}
SPEC = {
    "openapi": "3.0.3", "info": {"title": "internal", "version": "1"},
    "components": {"securitySchemes": {
        "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}},
    "paths": {"/api/data": {"get": SECURED}, "/api/reports": {"get": SECURED}},
}


def private_api(*, moved: bool = False) -> Recorder:
    """Every route, /openapi.json included, needs the key; `moved`: the spec with the key is a
    redirect to /moved (a redirect the key must not follow)."""
    app = Flask("private-spec")

    def keyed() -> bool:
        return hmac.compare_digest(request.headers.get("X-API-Key", ""), KEY)

    def refused() -> Response:
        return Response("no key", 401, {"WWW-Authenticate": "APIKey"})

    @app.get("/openapi.json")
    def spec() -> Response:
        if not keyed():
            return refused()
        return redirect("/moved") if moved else jsonify(SPEC)

    @app.get("/moved")
    def moved_spec() -> Response:
        return jsonify(SPEC)

    @app.get("/api/data")
    def data() -> Response:
        return jsonify(items=[1, 2, 3]) if keyed() else refused()

    @app.get("/api/reports")
    def reports() -> Response:
        return jsonify(reports=[]) if keyed() else refused()

    return Recorder(app)


def keys_seen(recorder: Recorder) -> list[str]:
    return [r["path"] for r in recorder.requests if KEY in r["headers"]]


@pytest.mark.parametrize("how", ["spec-url", "discovered", "identity"])
def test_a_spec_behind_a_key_is_fetched_with_it_and_used(how, serve, run_scan):
    app = private_api()
    https = serve(app, tls="modern").url
    options = ({"identities": (Identity.parse(f"carol=apikey:{KEY}"),)} if how == "identity"
               else {"headers": KEYED})
    if how == "spec-url":
        options["spec"] = https + "/openapi.json"
    report = run_scan(https, checks=CHECKS, **options)
    assert {(o.path, o.status) for o in report.operations} == {
        ("/api/data", "exercised"), ("/api/reports", "exercised")}
    assert [n for n in report.notices if "refused anonymous clients" in n and
            "fetched with the scan's credential (X-API-Key)" in n]
    # public-spec ran its one anonymous GET: refused, so silent
    assert_completed(report)
    assert report.findings == []
    assert KEY not in report.model_dump_json()
    assert "/api/reports" in keys_seen(app)  # the spec's other operation, with the key


def test_the_same_spec_served_anonymously_is_a_public_spec(serve, run_scan):
    app = Flask("public-spec")
    app.add_url_rule("/openapi.json", "spec", lambda: jsonify(SPEC))
    app.add_url_rule("/api/data", "data", lambda: jsonify(items=[]))
    https = serve(app, tls="modern").url
    report = run_scan(https + "/api/data", checks=("inventory.public-spec",), headers=KEYED)
    assert [f.id for f in report.findings] == ["inventory.public-spec"]
    assert not [n for n in report.notices if "refused anonymous" in n]


def test_without_the_key_the_scan_says_it_could_not_get_the_spec(serve, run_scan):
    https = serve(private_api(), tls="modern").url
    with pytest.raises(SpecError, match=r"HTTP 401 \(it needs authentication: a scan given "
                                        r"the API's credential"):
        run_scan(https, spec=https + "/openapi.json", checks=CHECKS)
    report = run_scan(https + "/api/data", checks=("inventory.spec-conformance",))
    assert report.operations == []
    assert [n for n in report.notices if n.startswith("no OpenAPI spec could be read")
            and "/openapi.json answered HTTP 401 (it needs authentication" in n]
    assert report.checks[0].status.value == "skipped"  # needs a spec: not a clean result


def test_a_wrong_key_is_said_to_be_refused(serve, run_scan):
    https = serve(private_api(), tls="modern").url
    with pytest.raises(SpecError, match=r"HTTP 401, and HTTP 401 with the credential "
                                        r"\(X-API-Key\)"):
        run_scan(https, spec=https + "/openapi.json", headers=(("X-API-Key", "wrong-key"),))


def test_the_key_is_not_sent_to_a_cleartext_spec_url(serve, run_scan):
    """Target over https://, its spec given over http:// on the same host: refused unless
    --allow-cleartext-credentials."""
    app = private_api()
    https, http = serve(app, tls="modern").url, serve(app).url
    with pytest.raises(SpecError, match=r"the credential was not sent: the spec URL is "
                                        r"cleartext http://"):
        run_scan(https + "/api/data", spec=http + "/openapi.json", checks=CHECKS,
                 headers=KEYED)
    assert [r["path"] for r in app.requests] == ["/openapi.json"]  # the anonymous GET only
    assert keys_seen(app) == []
    run_scan(https + "/api/data", spec=http + "/openapi.json", checks=CHECKS, headers=KEYED,
             allow_cleartext_credentials=True)
    assert keys_seen(app)[0] == "/openapi.json"


def test_the_key_is_not_sent_by_discovery_on_a_cleartext_target(serve, run_scan):
    app = private_api()
    http = serve(app).url
    report = run_scan(http + "/api/data", checks=("inventory.spec-conformance",),
                      headers=KEYED)
    assert keys_seen(app) == []
    assert report.operations == []
    assert [n for n in report.notices if n.startswith("no OpenAPI spec could be read")
            and "the credential was not sent: the spec URL is cleartext http://" in n]


def test_the_key_is_not_sent_to_another_host(serve, run_scan):
    app = private_api()
    https = serve(app, tls="modern").url
    elsewhere = https.replace("127.0.0.1", "localhost")
    with pytest.raises(SpecError, match=r"the credential was not sent: localhost is not the "
                                        r"target's host 127\.0\.0\.1"):
        run_scan(https + "/api/data", spec=elsewhere + "/openapi.json", headers=KEYED)
    assert app.requests and keys_seen(app) == []


def test_the_key_follows_no_redirect(serve, run_scan):
    app = private_api(moved=True)
    https = serve(app, tls="modern").url
    with pytest.raises(SpecError, match=r"HTTP 401, and HTTP 302 with the credential"):
        run_scan(https + "/api/data", spec=https + "/openapi.json", headers=KEYED)
    assert [r["path"] for r in app.requests] == ["/openapi.json", "/openapi.json"]
