"""Authentication enforcement: a protected endpoint must refuse requests that are not.

An endpoint is *protected* when its spec operation declares security, or when it answers an
anonymous request with 401/403. Such an endpoint that answers 2xx to no credentials, to wrong
credentials, to an empty password or to a malformed Authorization header lets anyone in.
Endpoints that are public by design (2xx anonymously and not declared secured) are left alone.

The wrong credential follows the endpoint's challenge: a random Basic pair, or a random Bearer
token when the endpoint challenges with Bearer only. A 429 or 423 stops the check at once (it
never waits on a rate limiter) and it ends inconclusive: the variants not yet sent are
untested, so that is no clean result. Sends at most 3 requests per protected endpoint
(up to 10 endpoints) besides the shared anonymous baseline.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from apivigil.checks.authentication.probing import note_throttled
from apivigil.checks.base import PHASE_FAILED_LOGINS, Check, CheckMeta, ScanContext
from apivigil.checks.common import (
    DUMMY_USER,
    challenges,
    is_success,
    probe_endpoints,
    random_username,
)
from apivigil.core.config import basic_header
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity

REMEDIATION = Remediation(
    summary=(
        "Authenticate every request to a protected operation before doing any work, and "
        "answer failures with one generic 401 and a WWW-Authenticate challenge. Make the "
        "authentication decorator the default (deny unless proven) rather than opt-in."
    ),
    flask="""\
from flask_httpauth import HTTPBasicAuth
from werkzeug.security import check_password_hash
auth = HTTPBasicAuth()

@auth.verify_password
def verify_password(username, password):
    user = USERS.get(username)
    stored = user.password_hash if user else DUMMY_HASH   # same work for unknown users
    if check_password_hash(stored, password) and user:
        return user
    return None

@app.get("/api/secure")
@auth.login_required          # on every protected view, or in a before_request hook
def secure():
    ...
""",
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
        "https://cwe.mitre.org/data/definitions/306.html",
    ),
)

# (label, Authorization header or None for "no header at all")
_VARIANTS: tuple[tuple[str, str | None], ...] = (
    ("wrong credentials", None),  # filled per request with a random user
    ("empty password", basic_header(DUMMY_USER, "")),
    ("malformed Authorization header", "Basic !!!not-base64!!!"),
)


class AuthenticationEnforcement(Check):
    meta = CheckMeta(
        id="authentication.enforcement",
        title="Authentication not enforced on a protected endpoint",
        category=Category.AUTHENTICATION,
        cwe=(306, 287),
        owasp=(Owasp.API2,),
        severity=Severity.CRITICAL,
        sends="GET of up to 10 endpoints without credentials, with a wrong credential, an "
        "empty password and a malformed Authorization header",
        phase=PHASE_FAILED_LOGINS,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for endpoint in probe_endpoints(ctx, limit=10):
            try:
                anonymous = ctx.baseline(endpoint)
            except ProbeError:
                continue
            if endpoint.declared_secured and is_success(anonymous):
                yield self.finding(
                    "not-enforced",
                    "Endpoint declared secured answers without credentials",
                    severity=Severity.CRITICAL,
                    description=(
                        f"The spec declares {endpoint.method} {endpoint.path} secured, but it "
                        f"answered {anonymous.status} to a request with no credentials: anyone "
                        "can call it."
                    ),
                    remediation=REMEDIATION,
                    exchange=anonymous.exchange,
                    path=endpoint.path,
                )
                continue
            if anonymous.status not in (401, 403):
                continue
            bearer_only = challenges(anonymous) == ["bearer"]
            yield from self._variants(ctx, endpoint.url, endpoint.path, bearer_only)

    def _variants(
        self, ctx: ScanContext, url: str, path: str, bearer_only: bool
    ) -> Iterator[Finding]:
        for label, header in _VARIANTS:
            if bearer_only and header is None:
                value = "Bearer " + secrets.token_urlsafe(24)
            else:
                value = header or basic_header(random_username(), "wrong-" + random_username())
            try:
                response = ctx.http.get(url, headers={"Authorization": value},
                                        use_extra_headers=False, accept_throttling=True)
            except ProbeError:
                continue
            if response.status in (429, 423):
                # Refused, but the rest of the variants are untested: no verdict, and more
                # probes would only prolong the throttling.
                note_throttled(ctx, response.status, f"on GET {path}")
                return
            if is_success(response):
                yield self.finding(
                    "accepts-invalid-credentials",
                    f"Protected endpoint accepts {label}",
                    severity=Severity.CRITICAL,
                    description=(
                        f"GET {path} refuses anonymous requests but answered "
                        f"{response.status} to a request with {label}: the credential check "
                        "does not actually verify who is calling."
                    ),
                    remediation=REMEDIATION,
                    exchange=response.exchange,
                    path=path,
                    parameter=label,
                )
