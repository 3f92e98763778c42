"""Error disclosure: stack traces, debug pages, database and template errors, internal paths
and private addresses in responses.

A stack trace tells an attacker the framework, the code layout and often a connection string;
an interactive debugger page (Werkzeug's, with its console) can be worse than any other bug.
Rule: the shared baselines of a few endpoints are inspected, plus two requests that commonly
provoke unhandled errors: a path that does not exist, and a Basic credential with a 200-byte
password at up to 3 endpoints that challenge for one (longer than bcrypt's 72-byte limit). Only a
real signature counts (a traceback header, a driver's error text, a debug page marker), never a
bare 500. Internal paths are judged on error responses only; private (RFC 1918) addresses on
any response.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.common import challenges
from apivigil.checks.data_exposure.common import observed_responses, oversized_credential
from apivigil.checks.data_exposure.signatures import (
    find_signatures,
    internal_paths,
    private_addresses,
)
from apivigil.checks.observation import Observed
from apivigil.core.errors import ProbeError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

REMEDIATION = Remediation(
    summary="Never run with debug mode or the interactive debugger outside development; answer "
    "errors with a generic JSON body and log the details server-side only.",
    examples=examples("generic-errors"),
    references=(
        "https://cwe.mitre.org/data/definitions/209.html",
        "https://flask.palletsprojects.com/en/stable/errorhandling/",
    ),
)

# signature kind -> (rule, title, severity, cwe)
_KINDS: dict[str, tuple[str, str, Severity, tuple[int, ...]]] = {
    "debugger": ("debug-page", "Interactive debugger or debug error page exposed",
                 Severity.HIGH, (215, 489, 209)),
    "stack-trace": ("stack-trace", "Stack trace in a response", Severity.MEDIUM, (209,)),
    "sql-error": ("database-error", "Database error message in a response", Severity.MEDIUM,
                  (209,)),
    "nosql-error": ("database-error", "Database error message in a response", Severity.MEDIUM,
                    (209,)),
    "template-error": ("template-error", "Template engine error in a response",
                       Severity.MEDIUM, (209,)),
}


class ErrorDisclosure(Check):
    meta = CheckMeta(
        id="data_exposure.error-disclosure",
        title="Stack traces, debug pages and internal details in responses",
        category=Category.DATA_EXPOSURE,
        cwe=(209, 215),
        owasp=(Owasp.API8,),
        severity=Severity.HIGH,
        sends="the shared GET baselines, one GET of a path that does not exist and one GET with "
        "a throwaway Basic credential whose password is 200 bytes to up to 3 endpoints",
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        observed = observed_responses(ctx)
        responses = [(o.endpoint.path, o.response) for o in observed]
        responses.extend(self._provoked(ctx, [o for o in observed if not o.authenticated]))
        reported: set[tuple[str, str]] = set()
        for path, response in responses:
            for finding in self._judge(path, response):
                key = (finding.id, path)
                if key not in reported:
                    reported.add(key)
                    yield finding

    def _provoked(self, ctx: ScanContext,
                  anonymous: list[Observed]) -> list[tuple[str, ProbeResponse]]:
        """A missing path, and an oversized credential at up to 3 endpoints that ask for one."""
        provoked = []
        missing = f"{ctx.target.base_path}/apivigil-missing-{secrets.token_hex(4)}"
        with contextlib.suppress(ProbeError):
            # Reported under a stable template, so the finding's fingerprint is stable too.
            provoked.append((f"{ctx.target.base_path}/{{nonexistent}}",
                             ctx.http.get(ctx.target.origin(ctx.target.scheme) + missing,
                                          use_extra_headers=False)))
        challenging = [item for item in anonymous
                       if item.response.status == 401 and "basic" in challenges(item.response)]
        for item in challenging[:3]:
            with contextlib.suppress(ProbeError):
                provoked.append((item.endpoint.path, oversized_credential(ctx, item.endpoint)))
        return provoked

    def _judge(self, path: str, response: ProbeResponse) -> Iterator[Finding]:
        text = response.text
        signatures = find_signatures(text)
        if any(m.kind == "debugger" for m in signatures):  # a debug page holds its own trace
            signatures = [m for m in signatures if m.kind != "stack-trace"]
        for match in signatures:
            rule, title, severity, cwe = _KINDS[match.kind]
            yield self.finding(
                rule,
                title,
                severity=severity,
                description=(f"GET {path} answered {response.status} with a {match.label}: "
                             f"“{match.excerpt[:100]}”. It reveals code, libraries and "
                             "configuration to anyone who can trigger the error."),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=path,
                cwe=cwe,
                data={"signature": match.label, "status": response.status},
            )
        if response.status >= 400 or signatures:
            paths = internal_paths(text)
            if paths:
                yield self.finding(
                    "internal-path",
                    "Internal file system paths in an error response",
                    severity=Severity.LOW,
                    confidence=Confidence.MEDIUM,
                    description=f"GET {path} answered {response.status} naming server paths: "
                    f"{', '.join(paths[:3])}.",
                    remediation=REMEDIATION,
                    exchange=response.exchange,
                    path=path,
                    data={"paths": paths[:10]},
                )
        headers = " ".join(v for k, v in response.headers.multi_items()
                           if k.lower() not in ("date", "content-length"))
        addresses = private_addresses(text + " " + headers)
        if addresses:
            yield self.finding(
                "private-address",
                "Private network addresses in a response",
                severity=Severity.LOW,
                confidence=Confidence.MEDIUM,
                description=f"GET {path} revealed internal addresses: {', '.join(addresses[:5])}"
                ", which map the network behind the API.",
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=path,
                cwe=(200,),
                data={"addresses": addresses[:10]},
            )
