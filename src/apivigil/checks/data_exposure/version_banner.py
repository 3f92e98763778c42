"""Version banners: `Server`, `X-Powered-By` and similar headers that name software versions.

A version number lets an attacker pick known exploits without probing. Low on its own; only a
header that carries a version number counts (a bare product name is not reported). Uses the
shared baselines only: no extra traffic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.data_exposure.common import observed_responses
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity

BANNER_HEADERS = ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version",
                  "x-generator", "x-runtime-version")
_VERSION = re.compile(r"\d+\.\d+")

REMEDIATION = Remediation(
    summary="Remove version numbers from Server and X-Powered-By (set them at the proxy, e.g. "
    "nginx `server_tokens off;`), and never expose the development server.",
    flask="""\
# Serve with gunicorn behind a proxy, not the Werkzeug development server, and:
@app.after_request
def hide_banner(response):
    response.headers.pop("X-Powered-By", None)
    response.headers["Server"] = "api"
    return response
""",
    references=("https://cwe.mitre.org/data/definitions/497.html",),
)


class VersionBanner(Check):
    meta = CheckMeta(
        id="data_exposure.version-banner",
        title="Software version banners in response headers",
        category=Category.DATA_EXPOSURE,
        cwe=(497, 200),
        owasp=(Owasp.API8,),
        severity=Severity.LOW,
        sends="nothing new: inspects the shared GET baselines",
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for item in observed_responses(ctx):
            banners = {name: value for name in BANNER_HEADERS
                       for value in item.response.header_values(name) if _VERSION.search(value)}
            if banners:
                shown = "; ".join(f"{k}: {v}" for k, v in banners.items())
                yield self.finding(
                    "version-banner",
                    "Response headers reveal software versions",
                    severity=Severity.LOW,
                    description=f"Responses carry {shown}: the exact versions tell an attacker "
                    "which known vulnerabilities to try.",
                    remediation=REMEDIATION,
                    exchange=item.response.exchange,
                    data={k: v for k, v in banners.items()},
                )
                return
