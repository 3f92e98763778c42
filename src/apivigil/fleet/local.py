"""The embedded default: jobs run on a thread pool in this process (nothing to install).

The same `run_job` that a Celery worker runs, so a dashboard without a broker and a fleet
behave alike. Jobs that are still queued when the process stops are lost (their next
scheduled run comes anyway); use the Celery dispatcher when that matters.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from threading import Lock

from apivigil.fleet.jobs import new_job_id, run_job

log = logging.getLogger(__name__)


class LocalDispatcher:
    """Submit jobs to `workers` threads; `pending()` says what is queued or running."""

    def __init__(self, db_url: str | None, *, workers: int = 2) -> None:
        self._db_url = db_url
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apivigil-scan")
        self._lock = Lock()
        self._running: dict[str, int] = {}
        self.failures: dict[str, str] = {}

    def submit(self, target_id: int) -> str:
        job_id = new_job_id()
        with self._lock:
            self._running[job_id] = target_id
        future = self._pool.submit(run_job, self._db_url, target_id, job_id)
        future.add_done_callback(lambda done: self._finished(job_id, done))
        return job_id

    def pending(self) -> dict[str, int]:
        """Job id -> target id of the jobs queued or running."""
        with self._lock:
            return dict(self._running)

    def _finished(self, job_id: str, future: Future[int]) -> None:
        with self._lock:
            self._running.pop(job_id, None)
            error = future.exception()
            if error is not None:
                self.failures[job_id] = str(error).splitlines()[0] if str(error) else \
                    type(error).__name__
                log.error("scan job %s failed: %s", job_id, self.failures[job_id])

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
