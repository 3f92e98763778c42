"""encryption.hsts, judged only on final HTTPS responses."""

from __future__ import annotations

import pytest

from tests.fixtures.apps.basic import protected_api
from tests.support import assert_completed

CHECK = {"checks": ("encryption.hsts",)}


@pytest.mark.parametrize(
    ("hsts", "rule", "severity"),
    [
        (None, "encryption.hsts-missing", "medium"),
        ("max-age=86400", "encryption.hsts-short-max-age", "medium"),
        ("max-age=20000000", "encryption.hsts-short-max-age", "low"),
        ("max-age=abc", "encryption.hsts-malformed", "medium"),
        ("max-age=0", "encryption.hsts-malformed", "medium"),
    ],
)
def test_weak_hsts_is_flagged(serve, run_scan, hsts, rule, severity):
    https = serve(protected_api(hsts=hsts), tls="modern")
    report = run_scan(https.url + "/", **CHECK)
    assert [(f.id, f.severity.value) for f in report.findings] == [(rule, severity)]


def test_one_year_hsts_is_silent(serve, run_scan):
    https = serve(protected_api(hsts="max-age=31536000; includeSubDomains"), tls="modern")
    report = run_scan(https.url + "/api/data", **CHECK)
    assert_completed(report)
    assert report.findings == []


def test_http_target_is_skipped_with_reason(serve, run_scan):
    http = serve(protected_api())
    report = run_scan(http.url + "/", **CHECK)
    assert report.checks[0].status.value == "skipped"
    assert "HTTPS" in (report.checks[0].reason or "")


def test_hsts_sent_over_http_only_is_flagged(serve, run_scan):
    from tests.support import port_of

    https = serve(protected_api(), tls="modern")
    http = serve(protected_api(hsts="max-age=31536000"))
    report = run_scan(https.url + "/", http_port=port_of(http.url), **CHECK)
    assert [(f.id, f.severity.value) for f in report.findings] == [
        ("encryption.hsts-http-only", "medium")]
    assert (report.findings[0].url or "").startswith("http://")


def test_hsts_is_judged_on_the_final_response_not_the_redirect(serve, run_scan):
    from flask import redirect

    app = protected_api()
    app.get("/old")(lambda: redirect("/", code=308))

    @app.after_request
    def hsts_on_final_answers_only(response):
        if response.status_code != 308:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    https = serve(app, tls="modern")
    report = run_scan(https.url + "/old", **CHECK)
    assert report.findings == []
