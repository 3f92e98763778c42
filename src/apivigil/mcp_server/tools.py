"""What each MCP tool does, as plain functions (the server module only registers them)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from apivigil.core.config import Credentials, ScanOptions
from apivigil.core.errors import UsageError
from apivigil.core.models import Finding, Report
from apivigil.store.diff import diff_reports
from apivigil.store.history import History

CREDENTIAL_PREFIX = "APIVIGIL_CRED_"
MAX_REQUESTS = 1000  # the CLI's default budget is the ceiling here
MAX_DURATION_S = 300.0


def _credentials(name: str | None, environ: Mapping[str, str]) -> Credentials | None:
    if not name:
        return None
    if not name.startswith(CREDENTIAL_PREFIX):
        raise UsageError(f"credential_env must name an environment variable starting with "
                         f"{CREDENTIAL_PREFIX} (the credentials this server may use)")
    value = environ.get(name)
    if not value:
        raise UsageError(f"the environment variable {name} is not set for the apivigil MCP "
                         "server")
    return Credentials.parse(value)


def finding_row(finding: Finding) -> dict[str, Any]:
    return {"id": finding.id, "severity": finding.severity.value, "title": finding.title,
            "where": " ".join(p for p in (finding.method, finding.path or finding.url) if p),
            "fingerprint": finding.fingerprint}


def report_summary(report: Report, scan_id: int | None) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "target": report.target,
        "grade": report.grade,
        "score": report.score,
        "requests": report.requests,
        "counts": {k.value: v for k, v in report.count_by_severity().items()},
        "categories": {c.category.value: c.score for c in report.categories
                       if c.score is not None},
        "findings": [finding_row(f) for f in report.findings],
        "checks_not_completed": {o.check: f"{o.status.value}: {o.reason}"
                                 for o in report.checks if o.status.value != "completed"},
        "notices": list(report.notices),
    }


def scan(db: str | None, *, url: str, spec: str | None = None,
         credential_env: str | None = None, cacert: str | None = None,
         checks: list[str] | None = None, max_requests: int = 600,
         max_duration: float = 120.0, store: bool = True,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Scan like `apivigil scan` (safe methods only) and summarise the report."""
    from apivigil.engine.runner import Scanner

    if not 1 <= max_requests <= MAX_REQUESTS:
        raise UsageError(f"max_requests must be between 1 and {MAX_REQUESTS}")
    if not 1 <= max_duration <= MAX_DURATION_S:
        raise UsageError(f"max_duration must be between 1 and {MAX_DURATION_S:.0f} seconds")
    options = ScanOptions(
        url=url, spec=spec, cacert=cacert, max_requests=max_requests,
        max_duration=max_duration, checks=tuple(checks or ()),
        credentials=_credentials(credential_env, os.environ if environ is None else environ))
    report = Scanner(options, listener=_notices_to_stderr).run()
    scan_id = None
    if store:
        with History(db) as history:
            scan_id = history.save(report)
    return report_summary(report, scan_id)


def _notices_to_stderr(event: object) -> None:
    """stdout is the MCP channel: anything for a person goes to stderr."""
    from apivigil.engine.events import Notice

    if isinstance(event, Notice):
        print(f"! {event.message}", file=sys.stderr)


def audit(spec: str, *, strict: bool = False, cacert: str | None = None) -> dict[str, Any]:
    from apivigil.engine.audit import audit as audit_spec

    return report_summary(audit_spec(spec, strict=strict, cacert=cacert), None)


def history(db: str | None, *, target: str | None = None, limit: int = 20) -> dict[str, Any]:
    with History(db) as store:
        return {"scans": [s.to_json() for s in store.scans(target=target,
                                                           limit=max(1, min(limit, 200)))]}


def diff(db: str | None, *, before: int | None = None,
         after: int | None = None) -> dict[str, Any]:
    with History(db) as store:
        if before is None or after is None:
            ids = store.latest_ids(2)
            if len(ids) < 2 and (before is None or after is None):
                raise UsageError("diff needs two stored scans")
            before = ids[0] if before is None else before
            after = ids[-1] if after is None else after
        return {"before": before, "after": after,
                **diff_reports(store.report(before), store.report(after)).to_json()}


def explain(db: str | None, *, finding: str, scan_id: int | None = None) -> dict[str, Any]:
    """A finding of a stored scan (by fingerprint or rule id), or a rule's documentation."""
    from apivigil.checks.registry import REGISTRY

    answer: dict[str, Any] = {}
    if scan_id is not None:
        with History(db) as store:
            report = store.report(scan_id)
        match = next((f for f in report.findings
                      if finding in (f.fingerprint, f.id)), None)
        if match is None:
            raise UsageError(f"scan #{scan_id} has no finding {finding!r}")
        answer = {**finding_row(match), "description": match.description,
                  "evidence": match.evidence.summary, "reproduce": match.evidence.curl,
                  "fix": match.remediation.summary,
                  "fix_examples": [{"framework": ex.framework.label, "code": ex.code}
                                   for ex in match.remediation.examples_for(report.framework)],
                  "references": list(match.remediation.references),
                  "cwe": list(match.cwe), "owasp": [o.value for o in match.owasp]}
        finding = match.check
    # A check id, or a rule id that starts with its check's id ("encryption.hsts-missing").
    candidates = [c for c in REGISTRY if finding == c.meta.id or finding.startswith(c.meta.id)]
    check = max(candidates, key=lambda c: len(c.meta.id), default=None)
    if check is None and not answer:
        raise UsageError(f"{finding!r} is neither a check id (see `apivigil checks`) nor a "
                         "finding of the given scan")
    if check is not None:
        module = sys.modules[check.__module__]
        answer.update(check=check.meta.id, check_title=check.meta.title,
                      sends=check.meta.sends, documentation=(module.__doc__ or "").strip())
    return answer
