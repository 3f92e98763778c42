"""An example apivigil plugin: a check family with one check, and a CSV report format.

`example.security-txt` asks the API's host for `/.well-known/security.txt` (RFC 9116) and
reports, at low severity, when there is none or it names no `Contact:`: whoever finds a flaw in
the API has nowhere to report it. It uses only apivigil's public check API (`Check`,
`CheckMeta`, `ScanContext`, `self.finding`), so it obeys the scan's scope, budget and rate like
any built-in check.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Report, Severity
from apivigil.reporting import ReportFormat

REMEDIATION = Remediation(
    summary="Publish /.well-known/security.txt with at least a Contact: line (RFC 9116).",
)


class SecurityTxt(Check):
    meta = CheckMeta(
        id="example.security-txt",
        title="No security.txt to report vulnerabilities to",
        category=Category.INVENTORY,
        cwe=(1059,),
        owasp=(Owasp.API9,),
        severity=Severity.LOW,
        sends="one GET of /.well-known/security.txt on the target's host",
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        parts = urlsplit(ctx.target.url)
        url = urlunsplit((parts.scheme, parts.netloc, "/.well-known/security.txt", "", ""))
        try:
            response = ctx.http.get(url)
        except ProbeError:
            return
        has_contact = response.status == 200 and any(
            line.lower().startswith("contact:") for line in response.text.splitlines())
        if not has_contact:
            yield self.finding(
                "security-txt-missing",
                "No security.txt with a Contact",
                severity=Severity.LOW,
                description=f"{url} answered {response.status} without a Contact: line, so "
                "researchers have no published way to report a vulnerability.",
                remediation=REMEDIATION,
                exchange=response.exchange,
            )


CHECKS = (SecurityTxt,)


def render_csv(report: Report) -> str:
    """One row per finding: severity, id, method, where, title."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["severity", "id", "method", "location", "title"])
    for finding in report.findings:
        writer.writerow([finding.severity.value, finding.id, finding.method or "",
                         finding.path or finding.url or "", finding.title])
    return out.getvalue()


CSV = ReportFormat("csv", (".csv",), render_csv)
