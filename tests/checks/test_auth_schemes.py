"""authentication.schemes: which scheme each endpoint uses, and 401s without a challenge."""

from __future__ import annotations

from apivigil.core.config import Credentials
from tests.fixtures.apps.auth import login_api
from tests.fixtures.apps.basic import PASSWORD, USER

CHECK = {"checks": ("authentication.schemes",)}


def test_scheme_is_reported_as_info_per_endpoint(serve, run_scan, tmp_spec):
    spec = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "security": [{"basic": []}],
        "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
        "paths": {"/": {"get": {"security": [], "responses": {"200": {"description": "ok"}}}},
                  "/api/login": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    https = serve(login_api("clean"), tls="modern")
    report = run_scan(https.url, spec=tmp_spec(spec), credentials=Credentials(USER, PASSWORD),
                      **CHECK)
    [finding] = report.findings
    assert (finding.id, finding.severity.value) == ("authentication.schemes-detected", "info")
    assert finding.evidence.data["endpoints"] == [
        "GET /api/login: basic (challenge+spec+supplied) [anonymous 401]",
        "GET /: none [anonymous 200]",
    ]
