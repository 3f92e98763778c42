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
from urllib.parse import urlsplit

import httpx

from apivigil import __version__
from apivigil.checks.inventory.spec_audit import SpecAudit
from apivigil.checks.inventory.spec_transport import SpecTransport
from apivigil.core.errors import SpecError
from apivigil.core.models import CheckOutcome, Finding, OperationStatus, OutcomeStatus, Report
from apivigil.core.scoring import grade_for, score_categories, score_findings
from apivigil.http.client import TlsSettings, build_ssl_context
from apivigil.spec.loader import MAX_SPEC_BYTES, load_spec, validate_document
from apivigil.spec.model import ApiSpec

REPORT_FORMAT_VERSION = "1.0"
NOT_SENT = "apivigil audit reads the spec only and sends no request"


def fetcher(cacert: str | None = None, timeout: float = 10.0) -> httpx.Client:
    return httpx.Client(verify=build_ssl_context(TlsSettings(cacert=cacert)), timeout=timeout,
                        trust_env=False)


def audit(source: str, *, strict: bool = False, cacert: str | None = None) -> Report:
    """Load `source` (file or URL), apply the spec-only rules, and return the report."""
    started_at = datetime.now(UTC)
    spec_host = urlsplit(source).hostname if "://" in source else None
    with fetcher(cacert) as client:

        def fetch(url: str) -> str:
            if spec_host is not None and urlsplit(url).hostname != spec_host:
                raise SpecError(f"refused to fetch {url}: references are followed only on "
                                f"the spec's own host {spec_host}")
            try:
                response = client.get(url)
            except httpx.HTTPError as exc:
                raise SpecError(f"cannot fetch spec {url}: {exc}") from None
            if response.status_code != 200:
                raise SpecError(f"cannot fetch spec {url}: HTTP {response.status_code}")
            if len(response.content) > MAX_SPEC_BYTES:
                raise SpecError(f"spec {url} is larger than {MAX_SPEC_BYTES // 2**20} MiB")
            return response.text

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
    unique = sorted({f.fingerprint: f for f in findings}.values(),
                    key=lambda f: (-f.severity.rank, f.category.value, f.id, f.path or "",
                                   f.parameter or "", f.fingerprint))
    score = score_findings(unique)
    operations = [OperationStatus(method=op.method, path=op.path, status="skipped",
                                  reason=NOT_SENT) for op in spec.operations]
    return Report(
        format_version=REPORT_FORMAT_VERSION, tool="apivigil", version=__version__,
        target=spec.source, started_at=started_at, finished_at=datetime.now(UTC),
        score=score, grade=grade_for(score), categories=score_categories(unique, outcomes),
        findings=unique, checks=sorted(outcomes, key=lambda o: o.check),
        operations=operations, requests=0,
        notices=[f"audit of {spec.source}: OpenAPI {spec.version}, "
                 f"{len(spec.operations)} operations, no traffic sent"],
    )
