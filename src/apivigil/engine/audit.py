"""`apivigil audit SPEC`: the spec-only rules on a document, with no target and no traffic.

Runs the checks that can judge a spec by reading it (`inventory.spec-audit` and the static part
of `encryption.spec-transport`) and builds the same `Report` a scan does, so every report
format, --fail-on and the exit codes work unchanged. An unreadable or invalid spec raises
`SpecError` (exit 3). `strict` adds full validation against the OpenAPI JSON Schemas, which
is slow on large documents and so is not part of every scan.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from apivigil.checks.inventory.spec_audit import SpecAudit
from apivigil.checks.inventory.spec_transport import SpecTransport
from apivigil.core.models import (
    CheckOutcome,
    Finding,
    OperationState,
    OperationStatus,
    OutcomeStatus,
    Report,
)
from apivigil.engine.fetch import SpecFetcher
from apivigil.engine.report import build_report
from apivigil.http.client import TlsSettings, build_ssl_context
from apivigil.spec.loader import load_spec, validate_document
from apivigil.spec.model import ApiSpec

NOT_SENT = "apivigil audit reads the spec only and sends no request"


def audit(source: str, *, strict: bool = False, cacert: str | None = None) -> Report:
    """Load `source` (file or URL), apply the spec-only rules, and return the report."""
    started_at = datetime.now(UTC)
    context = build_ssl_context(TlsSettings(cacert=cacert))
    with SpecFetcher(source, context, timeout=10.0) as fetch:
        spec = load_spec(source, fetch)
        if strict:
            validate_document(spec.raw, source, fetch)
    return report_for(spec, started_at)


def report_for(spec: ApiSpec, started_at: datetime) -> Report:
    findings: list[Finding] = []
    outcomes: list[CheckOutcome] = []
    for check in (SpecAudit(), SpecTransport()):
        began = time.perf_counter()
        found = list(check.audit(spec))
        findings += found
        outcomes.append(CheckOutcome(
            check=check.meta.id, category=check.meta.category, status=OutcomeStatus.COMPLETED,
            findings=len(found), duration_s=round(time.perf_counter() - began, 3)))
    operations = [OperationStatus(method=op.method, path=op.path,
                                  status=OperationState.SKIPPED, reason=NOT_SENT)
                  for op in spec.operations]
    return build_report(
        target=spec.source, started_at=started_at, findings=findings, outcomes=outcomes,
        operations=operations,
        notices=[f"audit of {spec.source}: OpenAPI {spec.version}, "
                 f"{len(spec.operations)} operations, no traffic sent"],
    )
