"""Deliver alerts to webhooks: signed, retried with exponential backoff, every attempt logged.

Payloads: `json` (apivigil's own: event, target, grades, reasons, new findings) or `slack`
(`{"text": ...}`, what Slack's and most chat tools' incoming webhooks accept). Both carry
only what the stored, already redacted report holds: never a credential.

A delivery is retried on a transport error, a 5xx or a 429 (waiting `backoff * 2**n` seconds,
or the receiver's Retry-After when it is shorter than a minute), not on another 4xx: the
receiver refused it and would refuse it again. Redirects are not followed. Each retry is signed
again with a fresh timestamp but keeps its delivery id, so a receiver can drop duplicates.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from apivigil import __version__
from apivigil.alerts.rules import Alert, AlertRule, evaluate
from apivigil.alerts.signing import SIGNATURE_HEADER, sign
from apivigil.core.models import Severity
from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring, Webhook

ATTEMPTS = 4
BACKOFF_S = 1.0
TIMEOUT_S = 10.0


def payload(alert: Alert, payload_format: str, delivery_id: str) -> dict[str, object]:
    if payload_format == "slack":
        after = alert.grade_after or "not tested"
        grade = f"{alert.grade_before} -> {after}" if alert.grade_before else after
        score = "-" if alert.score_after is None else str(alert.score_after)
        lines = [f"*apivigil*: {alert.target} grade {grade} (score {score}); "
                 + "; ".join(alert.reasons)]
        lines += [f"- [{f.severity.value.upper()}] {f.title} "
                  f"({' '.join(p for p in (f.method, f.path or f.url) if p)})"
                  for f in alert.new_findings[:10]]
        return {"text": "\n".join(lines)}
    return {
        "event": "scan.alert",
        "delivery_id": delivery_id,
        "tool": "apivigil",
        "version": __version__,
        "target": alert.target,
        "scan_id": alert.scan_id,
        "grade_before": alert.grade_before,
        "grade_after": alert.grade_after,
        "score_after": alert.score_after,
        "reasons": list(alert.reasons),
        "new_findings": [{"id": f.id, "severity": f.severity.value, "title": f.title,
                          "method": f.method, "path": f.path or f.url,
                          "fingerprint": f.fingerprint} for f in alert.new_findings],
    }


@dataclass(frozen=True)
class Attempt:
    delivery_id: str
    attempt: int
    status_code: int | None
    error: str | None
    ok: bool


def deliver(webhook: Webhook, alert: Alert, *, attempts: int = ATTEMPTS,
            backoff: float = BACKOFF_S, timeout: float = TIMEOUT_S,
            sleep: Callable[[float], None] = time.sleep,
            log: Callable[[Attempt], None] | None = None) -> bool:
    """POST the alert until the receiver takes it (2xx) or the attempts run out."""
    delivery_id = uuid.uuid4().hex
    body = json.dumps(payload(alert, webhook.payload_format, delivery_id),
                      separators=(",", ":")).encode()
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for number in range(1, attempts + 1):
            wait = backoff * 2 ** (number - 1)
            status: int | None = None
            error: str | None = None
            try:
                response = client.post(webhook.url, content=body, headers={
                    "Content-Type": "application/json",
                    "User-Agent": f"apivigil/{__version__}",
                    SIGNATURE_HEADER: sign(webhook.secret, body, delivery_id),
                })
                status = response.status_code
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit() and int(retry_after) < 60:
                    wait = max(wait, float(retry_after))
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
            ok = status is not None and 200 <= status < 300
            final = ok or number == attempts or (
                status is not None and 400 <= status < 500 and status != 429)
            if log is not None:
                log(Attempt(delivery_id, number, status, error, ok))
            if final:
                return ok
            sleep(wait)
    return False


def notify(history: History, monitoring: Monitoring, scan_id: int, **delivery: object) -> int:
    """Judge a stored scan against every webhook's rule and deliver; returns alerts sent."""
    current = history.report(scan_id)
    earlier = history.scans(target=current.target, before_id=scan_id, limit=1)
    previous = history.report(earlier[0].id) if earlier else None
    sent = 0
    for webhook in monitoring.webhooks():
        rule = AlertRule(
            min_severity=Severity(webhook.min_severity) if webhook.min_severity else None,
            on_grade_drop=webhook.on_grade_drop)
        alert = evaluate(rule, previous, current, scan_id)
        if alert is None:
            continue

        def record(attempt: Attempt, hook: Webhook = webhook) -> None:
            monitoring.log_delivery(webhook_id=hook.id, delivery_id=attempt.delivery_id,
                                    scan_id=scan_id, attempt=attempt.attempt,
                                    status_code=attempt.status_code, error=attempt.error,
                                    ok=attempt.ok)

        if deliver(webhook, alert, log=record, **delivery):  # type: ignore[arg-type]
            sent += 1
    return sent
