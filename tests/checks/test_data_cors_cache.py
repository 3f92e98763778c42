"""data_exposure.cors and data_exposure.cache_control on authenticated responses."""

from __future__ import annotations

import pytest

from apivigil.core.config import Credentials
from tests.fixtures.apps.basic import PASSWORD, USER
from tests.fixtures.apps.data_exposure import cache_api, cors_api

AUTH = {"credentials": Credentials(USER, PASSWORD)}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("reflect", {("data_exposure.cors-origin-reflected", "high", "arbitrary origin"),
                     ("data_exposure.cors-origin-reflected", "high", "null")}),
        ("null", {("data_exposure.cors-origin-reflected", "high", "null")}),
        ("wildcard", {("data_exposure.cors-wildcard-authenticated", "medium", None)}),
        ("allow-list", set()),
    ],
)
def test_cors_policies(serve, run_scan, mode, expected):
    https = serve(cors_api(mode), tls="modern")
    report = run_scan(https.url + "/api/data", checks=("data_exposure.cors",), **AUTH)
    assert {(f.id, f.severity.value, f.parameter) for f in report.findings} == expected


@pytest.mark.parametrize(
    ("cache_control", "expected"),
    [
        (None, [("data_exposure.cacheable-authenticated", "low")]),
        ("max-age=600", [("data_exposure.cacheable-authenticated", "low")]),
        ("public, max-age=600", [("data_exposure.shared-cacheable-authenticated", "medium")]),
        ("no-store", []),
        ("private, max-age=60", []),
    ],
)
def test_cache_control_on_authenticated_responses(serve, run_scan, cache_control, expected):
    https = serve(cache_api(cache_control), tls="modern")
    report = run_scan(https.url + "/api/data", checks=("data_exposure.cache-control",), **AUTH)
    assert [(f.id, f.severity.value) for f in report.findings] == expected


def test_cache_control_needs_credentials(serve, run_scan):
    https = serve(cache_api(None), tls="modern")
    report = run_scan(https.url + "/api/data", checks=("data_exposure.cache-control",))
    assert report.checks[0].status.value == "skipped"


def test_wildcard_on_public_data_is_silent_even_with_credentials(serve, run_scan):
    """Regression for precision: `*` on an endpoint anyone may read is fine."""
    from flask import Flask, jsonify

    app = Flask("public-cors")

    @app.get("/api/status")
    def status():
        return jsonify(ok=True), 200, {"Access-Control-Allow-Origin": "*"}

    https = serve(app, tls="modern")
    report = run_scan(https.url + "/api/status", checks=("data_exposure.cors",), **AUTH)
    assert report.findings == []
    assert report.checks[0].requests >= 1
