"""The whole encryption family on a clean modern server and on a weak one (real servers).

The clean server is what the issue asks for: TLS 1.2+ with AEAD suites, a 90-day certificate,
HSTS for a year, a permanent redirect before authentication, flagged cookies; the family must
report nothing there. The weak one is the demo's legacy TLS and a cleartext twin that serves.
"""

from __future__ import annotations

from apivigil.core.config import Credentials
from tests.fixtures.apps.basic import PASSWORD, USER, protected_api, redirect_to
from tests.fixtures.apps.encryption import cookie_api
from tests.support import port_of, rule_ids

CHECKS = {"encryption.cleartext", "encryption.https-enforcement", "encryption.hsts",
          "encryption.tls", "encryption.certificate", "encryption.cookies"}
FAMILY = {"checks": tuple(sorted(CHECKS))}  # the spec-transport check is issue 7's


def family_requests(report):
    return sum(o.requests for o in report.checks if o.check in CHECKS)


def test_clean_modern_server_reports_nothing(serve, run_scan):
    https = serve(cookie_api(flags="; Secure; HttpOnly; SameSite=Strict"), tls="modern")
    http = serve(redirect_to(https.url))
    report = run_scan(https.url + "/api/data", http_port=port_of(http.url),
                      credentials=Credentials(USER, PASSWORD), **FAMILY)
    assert {o.check for o in report.checks} == CHECKS
    assert {o.status.value for o in report.checks} == {"completed"}
    assert report.findings == []
    assert family_requests(report) <= 12


def test_weak_server_shows_the_family_failures(serve, run_scan):
    app = protected_api()
    https = serve(app, tls="legacy")
    http = serve(app)
    report = run_scan(https.url + "/api/data", http_port=port_of(http.url), **FAMILY)
    assert {o.status.value for o in report.checks} == {"completed"}
    assert {"encryption.cleartext-credentials", "encryption.hsts-missing",
            "encryption.tls-tls10", "encryption.tls-tls11",
            "encryption.tls-cipher-anonymous"} <= rule_ids(report)
    assert not {i for i in rule_ids(report) if i.startswith("encryption.cert-")}
    assert family_requests(report) <= 12
