"""Runtime against the spec: every operation is exercised and held to what the spec declares.

Each operation is sent once (values from the spec's examples, defaults and enums, or generated;
GET with the scan's shared baseline; POST/PUT/PATCH only with --allow-unsafe-methods and DELETE
only with --allow-delete) and its answer compared with the spec:

* `inventory.spec-path-missing` (low): a path without parameters answers 404, 405 or 501 that
  the operation does not declare: the spec documents something the service no longer has
  (inventory drift). Templated paths are left out, since 404 there usually means "no such
  object" for the generated id, not "no such route".
* `inventory.undeclared-status` (low): a status code the operation does not declare (exact,
  range such as 4XX, or default). 401/403 on secured operations and 429 are expected and left to
  the authentication and rate-limiting checks.
* `inventory.undeclared-content-type` (low): a response whose media type the declared response
  does not list: clients parse what the spec promised, and content sniffing may do the rest.

The report's operation list shows each operation as exercised (with its status) or skipped and
why.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.inventory.common import KEEP_SPEC_IN_SYNC, label
from apivigil.checks.inventory.exercise import exercised
from apivigil.core.models import Category, Confidence, Finding, Owasp, Severity
from apivigil.spec.schemas import content_of, media_declared, media_type

_DRIFT = (404, 405, 501)


class SpecConformance(Check):
    meta = CheckMeta(
        id="inventory.spec-conformance",
        title="Running API matches its spec",
        category=Category.INVENTORY,
        cwe=(1059,),
        owasp=(Owasp.API9,),
        severity=Severity.LOW,
        sends="one request per spec operation (GET and other safe methods; POST/PUT/PATCH with "
        "--allow-unsafe-methods, DELETE with --allow-delete)",
        needs_spec=True,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for op, response in exercised(ctx):
            status = response.status
            if status in _DRIFT and "{" not in op.path and str(status) not in op.responses:
                yield self.finding(
                    "spec-path-missing", f"{label(op)} is in the spec but answers {status}",
                    severity=Severity.LOW,
                    description=f"The spec documents {label(op)}, but the service answered "
                                f"{status}: the documentation and the running API have drifted "
                                "apart, and whatever reviewed the spec did not review the API.",
                    remediation=KEEP_SPEC_IN_SYNC, exchange=response.exchange,
                    method=op.method, path=op.path, parameter=str(status))
                continue
            if status == 429 or (status in (401, 403) and op.secured):
                continue
            if not op.responses:
                continue
            declared = op.response_for(status)
            if declared is None:
                yield self.finding(
                    "undeclared-status", f"{label(op)} answers {status}, which it does not "
                    "declare",
                    severity=Severity.LOW, confidence=Confidence.MEDIUM,
                    description=f"{label(op)} answered {status}; its spec declares only "
                                f"{', '.join(sorted(str(k) for k in op.responses))}. "
                                + ("A server error the spec does not foresee often means an "
                                   "input the code does not handle. " if status >= 500 else "")
                                + "Clients and tests built from the spec do not expect it.",
                    remediation=KEEP_SPEC_IN_SYNC, exchange=response.exchange,
                    method=op.method, path=op.path, parameter=str(status),
                    owasp=(Owasp.API9, Owasp.API8))
                continue
            actual = media_type(response.headers.get("content-type"))
            media = list(content_of(declared))
            if actual and media and response.body and not media_declared(actual, media):
                yield self.finding(
                    "undeclared-content-type", f"{label(op)} answers {actual}, not "
                    f"{', '.join(media)}",
                    severity=Severity.LOW, confidence=Confidence.MEDIUM,
                    description=f"The {status} response of {label(op)} is {actual}, but the "
                                f"spec declares {', '.join(media)} for it: clients parse what "
                                "the spec promised.",
                    remediation=KEEP_SPEC_IN_SYNC, exchange=response.exchange,
                    method=op.method, path=op.path, parameter=f"{status} {actual}",
                    cwe=(1059, 436), owasp=(Owasp.API9, Owasp.API8))
