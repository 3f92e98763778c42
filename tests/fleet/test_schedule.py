"""Cron schedules: validation, the next run, and the scheduler submitting a due target once
even when two schedulers (two dashboards over one database) look at the same moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apivigil.core.errors import UsageError
from apivigil.fleet.schedule import Scheduler, next_run, validate
from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring


def test_cron_expressions():
    assert validate("  0 3  * * * ") == "0 3 * * *"
    moment = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    assert next_run("0 3 * * *", moment) == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert next_run("*/15 * * * *", moment) == datetime(2026, 11, 30, 5, 15, tzinfo=UTC)
    for bad in ("every day", "0 3 * *", "61 * * * *"):
        with pytest.raises(UsageError, match="cron"):
            validate(bad)


def test_a_due_target_is_submitted_once_and_moved_forward(tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    now = datetime(2026, 11, 30, 5, 0, 30, tzinfo=UTC)
    with History(db) as history:
        monitoring = Monitoring(history.engine)
        due = monitoring.add_target(name="due", url="https://a.test/", schedule="* * * * *",
                                    next_run_at=now - timedelta(seconds=30))
        monitoring.add_target(name="later", url="https://b.test/", schedule="0 3 * * *",
                              next_run_at=now + timedelta(hours=3))
        monitoring.add_target(name="manual", url="https://c.test/")
    submitted: list[int] = []

    def submit(target_id: int) -> str:
        submitted.append(target_id)
        return f"job-{len(submitted)}"

    first, second = Scheduler(db, submit), Scheduler(db, submit)
    assert first.run_due(now) == ["job-1"]
    assert second.run_due(now) == []  # the run was claimed and moved forward
    assert submitted == [due.id]
    with History(db) as history:
        moved = Monitoring(history.engine).target(due.id)
    assert moved.next_run_at == datetime(2026, 11, 30, 5, 1, tzinfo=UTC)
    assert first.run_due(now + timedelta(minutes=1)) == ["job-2"]
    first.stop()
    second.stop()
