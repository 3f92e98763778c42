"""One scan job: target -> scan options -> engine -> history (once per job id) -> alerts."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Mapping

from apivigil.core.config import Credentials, ScanOptions
from apivigil.core.errors import UsageError
from apivigil.store.history import History
from apivigil.store.monitoring import MonitoredTarget, Monitoring

log = logging.getLogger(__name__)


def new_job_id() -> str:
    return uuid.uuid4().hex


def scan_options_for(target: MonitoredTarget,
                     environ: Mapping[str, str] | None = None) -> ScanOptions:
    """The scan the CLI would run for this target: same defaults, limits and safety rules."""
    env = os.environ if environ is None else environ
    credentials = None
    if target.credential_env:
        value = env.get(target.credential_env)
        if not value:
            raise UsageError(f"target {target.name}: the environment variable "
                             f"{target.credential_env} (its credential) is not set")
        credentials = Credentials.parse(value)
    checks = tuple(c.strip() for c in (target.checks or "").split(",") if c.strip())
    return ScanOptions(url=target.url, spec=target.spec, credentials=credentials,
                       cacert=target.cacert, max_requests=target.max_requests, checks=checks)


def run_job(db_url: str | None, target_id: int, job_id: str, *,
            alert_options: Mapping[str, object] | None = None) -> int:
    """Run one job to its stored scan id. A job already stored is not scanned again."""
    from apivigil.alerts.webhooks import notify
    from apivigil.engine.runner import Scanner

    with History(db_url) as history:
        done = history.scan_for_job(job_id)
        if done is not None:
            log.info("job %s was already stored as scan #%d", job_id, done)
            return done
        monitoring = Monitoring(history.engine)
        target = monitoring.target(target_id)
        report = Scanner(scan_options_for(target)).run()
        scan_id, stored_here = history.save_job(report, job_id)
        if not stored_here:  # another worker finished the same job first: it alerts
            return scan_id
        try:
            notify(history, monitoring, scan_id, **(alert_options or {}))
        except Exception:  # an alert that cannot be sent never loses the scan
            log.exception("alerts for scan #%d failed", scan_id)
        return scan_id
