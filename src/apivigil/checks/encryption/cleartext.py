"""Cleartext exposure: the API answers over http:// instead of redirecting to https://.

With HTTP Basic Auth the credentials are only base64-encoded and travel with every request, so
an API that serves them over cleartext HTTP hands them to anyone on the path. The check asks the
cleartext side (the URL given, or its twin on --http-port) for a few endpoints, first without
and then with a random dummy credential (never the user's), and reports:

* critical: the cleartext side asks for Basic credentials (a challenge) or serves a request
  that carries them (including endpoints it should protect);
* high: the cleartext side serves the API but shows no sign of taking credentials.

A redirect to https:// is judged by the HTTPS-enforcement check, not here.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import challenges, dummy_basic_header, probe_endpoints
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity

FLASK_HTTPS_FIX = """\
# Best: redirect at the proxy (nginx: `return 301 https://$host$request_uri;`).
# In the app, behind one proxy that sets X-Forwarded-Proto:
from werkzeug.middleware.proxy_fix import ProxyFix
app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)

@app.before_request
def require_https():
    if not request.is_secure:
        # 308 keeps the method; the redirect happens before any credential is checked
        return redirect(request.url.replace("http://", "https://", 1), code=308)
"""

REMEDIATION = Remediation(
    summary=(
        "Serve the API over HTTPS only. On port 80 answer every request with a permanent "
        "redirect (301/308) to https:// before authentication runs, or do not listen on "
        "cleartext at all; add HSTS so clients never try http:// again. Rotate credentials "
        "that were used over HTTP."
    ),
    flask=FLASK_HTTPS_FIX,
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
        "https://cwe.mitre.org/data/definitions/319.html",
    ),
)


class CleartextExposure(Check):
    meta = CheckMeta(
        id="encryption.cleartext",
        title="API served over cleartext HTTP",
        category=Category.ENCRYPTION,
        cwe=(319, 523),
        owasp=(Owasp.API8, Owasp.API2),
        severity=Severity.CRITICAL,
        sends="GET to up to 5 endpoints on the http:// side, without and with a dummy Basic "
        "credential",
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        served: list[tuple[str, int]] = []
        credential_paths: list[str] = []
        first_exchange = None
        for endpoint in probe_endpoints(ctx):
            url = ctx.target.twin(endpoint.url, "http")
            try:
                plain = ctx.http.get(url, use_extra_headers=False)
            except ProbeError:
                return  # nothing listens on the cleartext side: nothing exposed
            if plain.is_redirect:
                continue
            with_dummy = ctx.http.get(
                url, headers={"Authorization": dummy_basic_header()}, use_extra_headers=False
            )
            if with_dummy.is_redirect:
                continue
            served.append((endpoint.path, plain.status))
            asks = "basic" in challenges(plain) or "basic" in challenges(with_dummy)
            if asks or endpoint.declared_secured or plain.status in (401, 403):
                credential_paths.append(endpoint.path)
                first_exchange = first_exchange or with_dummy.exchange
            first_exchange = first_exchange or plain.exchange
        if not served:
            return
        origin = ctx.target.origin("http")
        if credential_paths:
            yield self.finding(
                "cleartext-credentials",
                "Credentials accepted over cleartext HTTP",
                severity=Severity.CRITICAL,
                description=(
                    f"{origin} asks for or accepts HTTP credentials without redirecting to "
                    "HTTPS. Basic credentials are only base64-encoded: anyone on the network "
                    "path (Wi-Fi, proxy, ISP) can read and replay them."
                ),
                remediation=REMEDIATION,
                exchange=first_exchange,
                url=origin,
                data={"paths": [p for p in credential_paths]},
            )
        else:
            yield self.finding(
                "https-not-enforced",
                "HTTPS not enforced: API served over cleartext HTTP",
                severity=Severity.HIGH,
                description=(
                    f"{origin} serves the API over cleartext HTTP instead of redirecting to "
                    "HTTPS, so requests and responses can be read and altered in transit."
                ),
                remediation=REMEDIATION,
                exchange=first_exchange,
                url=origin,
                data={"paths": [p for p, _ in served]},
            )
