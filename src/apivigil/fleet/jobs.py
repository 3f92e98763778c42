"""One scan job: target -> scan options -> engine -> history (once per job id) -> alerts."""

from __future__ import annotations

import logging
import os
import threading
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


_STORES: dict[str, tuple[History, Monitoring]] = {}
_STORES_LOCK = threading.Lock()


def stores(db_url: str | None) -> tuple[History, Monitoring]:
    """This process's history and monitoring stores for a database, opened once: a worker
    runs many jobs, and a connection pool (and the tables' check) per job is waste. A forked
    worker process opens its own (`os.getpid()` is part of the key)."""
    key = f"{os.getpid()}:{db_url}"
    with _STORES_LOCK:
        if key not in _STORES:
            history = History(db_url)
            _STORES[key] = (history, Monitoring(history.engine))
        return _STORES[key]


def run_job(db_url: str | None, target_id: int, job_id: str, *,
            alert_options: Mapping[str, object] | None = None) -> int:
    """Run one job to its stored scan id. A job already stored is not scanned again."""
    from apivigil.alerts.webhooks import notify
    from apivigil.engine.runner import Scanner

    history, monitoring = stores(db_url)
    done = history.scan_for_job(job_id)
    if done is not None:
        log.info("job %s was already stored as scan #%d", job_id, done)
        return done
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
