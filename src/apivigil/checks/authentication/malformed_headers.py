"""Malformed Authorization headers: the parser must refuse garbage calmly, with a 401.

Sends odd Authorization headers to the authentication endpoint and one more protected
endpoint: bad base64, base64 with no colon, credentials that are not UTF-8 once decoded,
non-ASCII bytes in the header itself, a very long value (10 kB), an unknown scheme, a scheme
with no token and an empty value. Hand-written parsers (`base64.b64decode(...).decode()
.split(":")`) crash on these.

Rules: a traceback or debug page in the answer is `malformed-header-traceback` (medium: it
shows code and paths to anyone); another 5xx is `malformed-header-error` (low: a crash in the
authentication path, and a cheap way to fill error logs); a 2xx on an endpoint that refuses
anonymous requests is `accepts-malformed-authorization` (critical: the check fails open).
Any 4xx (400, 401, 403, 431...) is fine. A 429 stops the probes. Sends at most 16 requests
(8 per endpoint, 2 endpoints) and runs in phase 15, before the throttling bursts.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

from apivigil.checks.authentication.probing import (
    REFERENCES,
    debug_signature,
    note_throttled,
    protected_endpoints,
    protected_target,
)
from apivigil.checks.authentication.verbose_errors import INTERNALS_REMEDIATION
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# (label, header value or None, raw header bytes or None)
VARIANTS: tuple[tuple[str, str | None, bytes | None], ...] = (
    ("bad base64", "Basic %%%not*base64%%%", None),
    ("no colon", "Basic " + _b64(b"apivigil-no-colon"), None),
    ("non-UTF-8 credentials", "Basic " + _b64(b"\xff\xfe\xfa:\xc3\x28"), None),
    ("non-ASCII bytes", None, b"Basic \xff\xfe\xfd\x80"),
    ("very long value", "Basic " + "QUFB" * 2500, None),
    ("unknown scheme", "Apivigil " + _b64(b"x:y"), None),
    ("scheme without token", "Basic", None),
    ("empty value", "", None),
)

REMEDIATION = Remediation(
    summary=(
        "Parse credentials with the framework (Flask-HTTPAuth, FastAPI's `HTTPBasic`), "
        "never by hand, and catch what the parser raises (Werkzeug 3.1 raises on a non-ASCII "
        "Basic token); treat anything unparseable as no credentials and "
        "answer 401 with a WWW-Authenticate challenge."
    ),
    examples=examples("basic-auth"),

    references=(*REFERENCES, "https://cwe.mitre.org/data/definitions/755.html"),
)


class MalformedAuthorization(Check):
    meta = CheckMeta(
        id="authentication.malformed-authorization",
        title="Malformed Authorization headers crash or bypass the check",
        category=Category.AUTHENTICATION,
        cwe=(755, 209, 287),
        owasp=(Owasp.API2, Owasp.API8),
        severity=Severity.CRITICAL,
        sends="8 GETs per endpoint (authentication endpoint and one more protected one) with "
        "malformed Authorization headers",
        phase=15,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if protected_target(ctx) is None:
            return "no endpoint refuses anonymous requests (401/403): no parser to test"
        return super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        target = protected_target(ctx)
        assert target is not None
        others = [e for e, _ in protected_endpoints(ctx) if e.url != target.endpoint.url]
        endpoints = [target.endpoint, *others[:1]]
        for endpoint in endpoints:
            for label, value, raw in VARIANTS:
                try:
                    response = ctx.http.get(
                        endpoint.url,
                        headers={} if value is None else {"Authorization": value},
                        raw_headers=None if raw is None else [(b"Authorization", raw)],
                        use_extra_headers=False, accept_throttling=True)
                except ProbeError:
                    continue
                if response.status == 429:
                    note_throttled(ctx, self.meta.id, 429,
                                   f"at the {label!r} probe of GET {endpoint.path}")
                    return
                finding = self._judge(endpoint, label, response)
                if finding is not None:
                    yield finding

    def _judge(self, endpoint: Endpoint, label: str,
               response: ProbeResponse) -> Finding | None:
        where = f"{endpoint.method} {endpoint.path}"
        trace = debug_signature(response.text)
        if trace is not None:
            return self.finding(
                "malformed-header-traceback",
                "Malformed Authorization header produces a traceback",
                severity=Severity.MEDIUM,
                description=(f"{where} answered an Authorization header with {label} with "
                             f"HTTP {response.status} and a {trace}: the credential parser "
                             "crashes and shows its code to anyone."),
                remediation=INTERNALS_REMEDIATION,
                exchange=response.exchange,
                path=endpoint.path,
                parameter=label,
                cwe=(209, 755),
                data={"variant": label, "status": response.status, "signature": trace},
            )
        if response.status >= 500:
            return self.finding(
                "malformed-header-error",
                "Malformed Authorization header causes a server error",
                severity=Severity.LOW,
                description=(f"{where} answered an Authorization header with {label} with "
                             f"HTTP {response.status}: the credential parser fails instead "
                             "of refusing the request with 401."),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=endpoint.path,
                parameter=label,
                cwe=(755,),
                data={"variant": label, "status": response.status},
            )
        if 200 <= response.status < 300:
            return self.finding(
                "accepts-malformed-authorization",
                "Protected endpoint accepts a malformed Authorization header",
                severity=Severity.CRITICAL,
                description=(f"{where} refuses anonymous requests but answered "
                             f"{response.status} to an Authorization header with {label}: the "
                             "check fails open."),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=endpoint.path,
                parameter=label,
                cwe=(287,),
                data={"variant": label, "status": response.status},
            )
        return None
