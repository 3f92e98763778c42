"""Per-target cron schedules and the scheduler that turns due targets into jobs.

Schedules are standard 5-field cron expressions (`croniter`), in UTC: `0 3 * * *` scans at
03:00 every day, `*/15 * * * *` every quarter hour. The scheduler wakes every few seconds,
finds targets whose next run is due, moves each one's next run forward *before* submitting
(`Monitoring.claim_run`, a row lock: two dashboards over one database never submit the same
run twice) and submits a job to the dispatcher (in this process, or Celery).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apivigil.core.errors import UsageError
from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring

log = logging.getLogger(__name__)


def next_run(schedule: str, after: datetime | None = None) -> datetime:
    """The first time after `after` (now) that the cron expression names, in UTC."""
    from croniter import croniter

    start = after or datetime.now(UTC)
    try:
        moment = croniter(schedule, start).get_next(datetime)
    except (ValueError, KeyError) as exc:
        raise UsageError(f"schedule {schedule!r} is not a cron expression "
                         f"('MIN HOUR DAY MONTH WEEKDAY', e.g. '0 3 * * *'): {exc}") from None
    assert isinstance(moment, datetime)
    return moment.astimezone(UTC)


def validate(schedule: str) -> str:
    """A cleaned cron expression, or a UsageError that says what is expected."""
    cleaned = " ".join(schedule.split())
    if len(cleaned.split()) != 5:
        raise UsageError(f"schedule {schedule!r}: give 5 cron fields "
                         "('MIN HOUR DAY MONTH WEEKDAY', e.g. '0 3 * * *')")
    next_run(cleaned)
    return cleaned


class Scheduler:
    """A daemon thread that submits due targets' jobs; `stop()` ends it."""

    def __init__(self, db_url: str | None, submit: Callable[[int], str], *,
                 tick: float = 5.0) -> None:
        self._db_url, self._submit, self._tick = db_url, submit, tick
        self._history: History | None = None  # opened on first use, kept until stop()
        self._monitoring: Monitoring | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="apivigil-scheduler",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self._history is not None:
            self._history.close()

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Submit every due target once; returns the job ids."""
        moment = now or datetime.now(UTC)
        jobs: list[str] = []
        if self._history is None or self._monitoring is None:
            self._history = History(self._db_url)
            self._monitoring = Monitoring(self._history.engine)
        monitoring = self._monitoring
        for target in monitoring.due(moment):
            if target.schedule is None or target.next_run_at is None:
                continue
            following = next_run(target.schedule, moment)
            if monitoring.claim_run(target.id, target.next_run_at, following):
                jobs.append(self._submit(target.id))
        return jobs

    def _loop(self) -> None:
        while not self._stop.wait(self._tick):
            try:
                self.run_due()
            except Exception:  # the scheduler must outlive a database hiccup
                log.exception("scheduler tick failed")
