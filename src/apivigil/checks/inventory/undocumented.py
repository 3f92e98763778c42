"""Undocumented endpoints that answer: debug, admin, metrics and older API versions.

Improper inventory is how forgotten endpoints stay exposed: a debug console, an admin panel, a
metrics page or the previous API version still answering next to the documented one. The check
asks a short, fixed list of well-known paths (and, when spec paths carry a version such as
/v2/, the same path one version back) that the spec does not document, and reports those that
answer 2xx. A random path is asked first: when it answers 2xx too (a catch-all or single-page
app), nothing can be told apart and the check reports nothing.

* `inventory.undocumented-endpoint` (medium for debug, admin and environment paths; low for
  metrics, status and older versions). The Werkzeug console (/console) is left to
  `authentication.debug-console`, which judges it properly.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.inventory.common import SPEC_REFERENCES
from apivigil.checks.target import Endpoint
from apivigil.core.errors import ProbeError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.remediation import examples
from apivigil.spec.model import ApiSpec

# (path, what it usually is, severity when it answers)
WELL_KNOWN: tuple[tuple[str, str, Severity], ...] = (
    ("/debug", "a debug endpoint", Severity.MEDIUM),
    ("/admin", "an admin interface", Severity.MEDIUM),
    ("/actuator/env", "Spring Boot's environment dump", Severity.MEDIUM),
    ("/.env", "an environment file", Severity.MEDIUM),
    ("/internal", "an internal endpoint", Severity.MEDIUM),
    ("/metrics", "a metrics page", Severity.LOW),
    ("/actuator", "Spring Boot actuator", Severity.LOW),
    ("/server-status", "Apache's server status", Severity.LOW),
)
MAX_OLD_VERSIONS = 3
_VERSION = re.compile(r"/v(\d+)(?=/|$)")

REMEDIATION = Remediation(
    summary="Remove debug, admin and old-version endpoints from production, or put them "
            "behind authentication on an internal network; document everything that stays "
            "public in the spec, and retire old versions on a schedule.",
    examples=examples("retire-endpoints"),
    references=SPEC_REFERENCES,
)


def documented(spec: ApiSpec, path: str) -> bool:
    for op in spec.operations:
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(op.path)) + "/?$"
        if re.match(pattern, path):
            return True
    return False


def older_versions(spec: ApiSpec, endpoints: list[Endpoint]) -> list[tuple[str, str]]:
    """(spec path, same path one version back) for a few documented GET paths."""
    found: list[tuple[str, str]] = []
    for endpoint in endpoints:
        match = _VERSION.search(endpoint.path)
        if not match or int(match.group(1)) < 2 or "{" in endpoint.path:
            continue
        older = endpoint.path[:match.start()] + f"/v{int(match.group(1)) - 1}" + \
            endpoint.path[match.end():]
        if not documented(spec, older) and all(o != older for _, o in found):
            found.append((endpoint.path, older))
        if len(found) >= MAX_OLD_VERSIONS:
            break
    return found


class UndocumentedEndpoints(Check):
    meta = CheckMeta(
        id="inventory.undocumented-endpoints",
        title="Undocumented endpoints that answer",
        category=Category.INVENTORY,
        cwe=(1059, 489),
        owasp=(Owasp.API9,),
        severity=Severity.MEDIUM,
        sends=f"GET of one random path, up to {len(WELL_KNOWN)} well-known debug/admin/metrics "
        f"paths and up to {MAX_OLD_VERSIONS} older-version paths, without credentials",
        needs_spec=True,
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        spec = ctx.spec
        assert spec is not None
        prefix = ctx.target.origin(ctx.target.scheme)
        base = ctx.target.base_path
        try:
            control = ctx.http.get(f"{prefix}{base}/apivigil-{secrets.token_hex(6)}",
                                   use_extra_headers=False)
        except ProbeError:
            return
        if 200 <= control.status < 300:
            return  # catch-all: every path answers, nothing to tell apart
        candidates: list[tuple[str, str, Severity]] = []
        for path, what, severity in WELL_KNOWN:
            for root in dict.fromkeys(["", base]):
                full = root + path
                if not documented(spec, full.removeprefix(base) if base else full) and \
                        all(c[0] != full for c in candidates):
                    candidates.append((full, what, severity))
        gets = [e for e in ctx.target.endpoints if e.method == "GET" and not e.acts]
        for current, older in older_versions(spec, gets):
            candidates.append((base + older, f"an older version of {current}", Severity.LOW))
        for path, what, severity in candidates:
            try:
                response = ctx.http.get(prefix + path, use_extra_headers=False)
            except ProbeError:
                continue
            if not 200 <= response.status < 300:
                continue
            yield self.finding(
                "undocumented-endpoint", f"Undocumented endpoint answers: {path}",
                severity=severity, confidence=Confidence.MEDIUM,
                description=f"GET {path} answered {response.status} without credentials. It "
                            f"looks like {what}, and the spec does not document it: nobody "
                            "reviewing the documented API sees it.",
                remediation=REMEDIATION, exchange=response.exchange, method="GET", path=path)
