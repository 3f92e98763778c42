"""Version banners: `Server`, `X-Powered-By` and similar headers that name software versions.

A version number lets an attacker pick known exploits without probing. Low on its own; only a
header that carries a version number counts (a bare product name is not reported). Uses the
shared observation of every operation only: no extra traffic.
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

# Text only: Flask and FastAPI set neither header. A versioned Server header comes from the
# server or the proxy (Werkzeug's development server adds its own beside the app's, so no app
# code removes it), X-Powered-By from PHP, a proxy, or a line of the app's own to delete.
REMEDIATION = Remediation(
    summary="Remove version numbers where they are added: delete any Server or X-Powered-By "
    "header your own code sets; never expose "
    "Werkzeug's development server (its `Server: Werkzeug/… Python/…` cannot be removed from "
    "the app; serve with gunicorn, waitress or uvicorn), and at the proxy set nginx "
    "`server_tokens off;` and `proxy_hide_header X-Powered-By;` (PHP: `expose_php = Off`).",
    references=("https://cwe.mitre.org/data/definitions/497.html",
                "https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens"),
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
        """One finding for the host, naming every distinct banner and the first operation
        that showed it (a banner only one route adds, e.g. on /health, counts too)."""
        seen: dict[tuple[str, str], str] = {}
        first = None
        for item in observed_responses(ctx):
            for name, value in item.response.headers.multi_items():
                if name.lower() in BANNER_HEADERS and _VERSION.search(value):
                    key = (_canonical(name), value)
                    if key not in seen:
                        seen[key] = item.endpoint.path
                        first = first or item
        if first is None:
            return
        shown = "; ".join(f"{name}: {value} (GET {path})" for (name, value), path in seen.items())
        yield self.finding(
            "version-banner",
            "Response headers reveal software versions",
            severity=Severity.LOW,
            description=f"Responses carry {shown}: the exact versions tell an attacker "
            "which known vulnerabilities to try.",
            remediation=REMEDIATION,
            exchange=first.response.exchange,
            data={name.lower(): "; ".join(v for (n, v) in seen if n == name)
                  for (name, _) in seen},
        )


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))
