"""Scans as Celery tasks on a Redis broker: `apivigil worker` runs them, `serve --broker`
queues them, results go to the shared history database (PostgreSQL for a fleet).

The task is acknowledged late (after it ran), is rejected back onto the queue when its worker
process is lost, and Redis redelivers an unacknowledged task after the visibility timeout
when a whole worker dies: a scan may run twice, so storing is idempotent (`History.save_job`
with the job id: stored once, alerted once). One task at a time per worker process
(`worker_prefetch_multiplier=1`), JSON messages only, no result backend (results live in the
history). The visibility timeout (default 30 minutes, longer than any scan's
`--max-duration`) comes from `APIVIGIL_VISIBILITY_TIMEOUT` (seconds).
"""

from __future__ import annotations

import os
from threading import Lock
from typing import Any

from celery import Celery

from apivigil.fleet.jobs import new_job_id, run_job
from apivigil.store.history import History

TASK = "apivigil.scan_target"
VISIBILITY_ENV = "APIVIGIL_VISIBILITY_TIMEOUT"


def make_app(broker: str, db_url: str | None) -> Celery:
    """The Celery app; its one task runs `run_job` against `db_url`."""
    app = Celery("apivigil", broker=broker)
    visibility = int(os.environ.get(VISIBILITY_ENV, "1800"))
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility,
            # Look for abandoned tasks every visibility/10 s (at least every second).
            "unacked_restore_interval": max(1, min(60, visibility // 10)),
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )

    @app.task(name=TASK, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def scan_target(target_id: int, job_id: str) -> int:
        return run_job(db_url, target_id, job_id)

    return app


class CeleryDispatcher:
    """Queue jobs on the broker; `pending()` lists submitted jobs not yet stored."""

    def __init__(self, broker: str, db_url: str | None) -> None:
        self._app = make_app(broker, db_url)
        self._db_url = db_url
        self._lock = Lock()
        self._submitted: dict[str, int] = {}

    def submit(self, target_id: int) -> str:
        job_id = new_job_id()
        self._app.send_task(TASK, args=[target_id, job_id])
        with self._lock:
            self._submitted[job_id] = target_id
        return job_id

    def pending(self) -> dict[str, int]:
        with self._lock:
            submitted = dict(self._submitted)
        with History(self._db_url) as history:
            done = {job for job in submitted if history.scan_for_job(job) is not None}
        with self._lock:
            for job in done:
                self._submitted.pop(job, None)
            return dict(self._submitted)

    def shutdown(self) -> None:
        self._app.close()


def run_worker(broker: str, db_url: str | None, *, concurrency: int,
               extra: list[str] | None = None) -> Any:
    """`apivigil worker`: a Celery worker for the scan tasks (blocks until stopped)."""
    app = make_app(broker, db_url)
    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}",
            f"--hostname=apivigil-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
            *(extra or [])]
    return app.worker_main(argv=argv)
