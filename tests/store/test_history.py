"""The scan history on SQLite and on a real PostgreSQL: store, list, reload, diff."""

from __future__ import annotations

from datetime import UTC

import pytest

from apivigil.core.errors import UsageError
from apivigil.core.models import Severity
from apivigil.store.diff import diff_reports
from apivigil.store.history import History, resolve_url, safe_url
from tests.fixtures.apps.switchable import switchable_api

CHECKS = ("encryption.hsts",)


@pytest.fixture
def two_scans(serve, run_scan):
    """The same API scanned tidy, then after HSTS was dropped."""
    state = {"hsts": True}
    server = serve(switchable_api(state), tls="modern")
    before = run_scan(server.url + "/", checks=CHECKS)
    state["hsts"] = False
    after = run_scan(server.url + "/", checks=CHECKS)
    return before, after


def test_store_list_and_reload(db_url, two_scans):
    before, after = two_scans
    with History(db_url) as history:
        first, second = history.save(before), history.save(after)
        assert second > first
        listed = history.scans()
        assert [s.id for s in listed] == [second, first]  # newest first
        assert listed[0].grade == after.grade and listed[0].score == after.score
        assert listed[0].counts[Severity.MEDIUM] == 1 and listed[1].total == 0
        assert listed[0].target == after.target
        assert history.report(second) == after  # the whole report comes back, unchanged
        assert history.latest_ids(2) == [first, second]
        assert history.scans(target="https://elsewhere.example/") == []
        found = after.findings[0]
        assert history.first_seen(found.fingerprint) == after.started_at.astimezone(UTC)
        with pytest.raises(UsageError, match="no scan #999"):
            history.report(999)


def test_diff_of_stored_scans(db_url, two_scans):
    before, after = two_scans
    with History(db_url) as history:
        old, new = history.save(before), history.save(after)
        diff = diff_reports(history.report(old), history.report(new))
    assert [f.id for f in diff.new] == ["encryption.hsts-missing"]
    assert diff.fixed == () and diff.unchanged == ()
    assert (diff.grade_before, diff.score_before) == ("A", 100)
    assert diff.drift == "worse" and diff.score_change < 0
    back = diff_reports(after, before)
    assert [f.id for f in back.fixed] == ["encryption.hsts-missing"] and back.drift == "improved"
    same = diff_reports(after, after)
    assert len(same.unchanged) == 1 and same.new == () and same.drift == "same"


def test_urls():
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("history.db").startswith("sqlite:////")
    assert "hunter2" not in safe_url("postgresql://u:hunter2@h/db")


def test_scans_of_different_targets_or_checks_are_not_comparable(serve, run_scan):
    tidy = serve(switchable_api({"hsts": True}), tls="modern")
    loose = serve(switchable_api({"hsts": False}), tls="modern")
    before = run_scan(tidy.url + "/", checks=CHECKS)
    other_api = diff_reports(before, run_scan(loose.url + "/", checks=CHECKS))
    assert other_api.drift == "not comparable"  # not "worse": it is another API
    assert "different targets" in other_api.to_text()
    other_checks = diff_reports(before, run_scan(tidy.url + "/", checks=(
        "encryption.hsts", "encryption.cookies")))
    assert other_checks.drift == "not comparable"
    assert other_checks.to_json()["not_comparable"] == [
        "different checks completed (only after: encryption.cookies)"]


def test_a_job_is_stored_once_even_when_two_workers_finish_it(db_url, two_scans):
    """Queued scans carry a job id: a second save of the same job (a redelivered task whose
    first worker stored it before dying) adds nothing and answers the first scan's id."""
    from concurrent.futures import ThreadPoolExecutor

    before, after = two_scans
    with History(db_url) as history:
        first = history.save(before, job_id="job-1")
        assert history.save(after, job_id="job-1") == first
        with ThreadPoolExecutor(4) as pool:  # racing saves of one new job
            ids = set(pool.map(lambda _: history.save(after, job_id="job-2"), range(4)))
        assert len(ids) == 1
        assert history.count() == 2
        assert history.scan_for_job("job-2") == ids.pop()
        assert history.scan_for_job("job-3") is None
        assert [s.id for s in history.scans(before_id=first + 1)] == [first]
        [(newest, count)] = history.targets()
        assert (newest.target, count) == (before.target, 2)
        assert newest.id == max(s.id for s in history.scans())


def test_a_scan_that_tested_nothing_is_stored_and_compared_as_not_tested(db_url, serve,
                                                                          run_scan, two_scans):
    """https-only checks against an http:// URL are all skipped: nothing was tested, so the
    history keeps no grade for it and a diff with a graded scan is 'not comparable'."""
    server = serve(switchable_api({"hsts": True}))
    untested = run_scan(server.url + "/", checks=CHECKS)
    assert untested.grade is None and untested.score is None
    graded = two_scans[0]
    with History(db_url) as history:
        scan_id = history.save(untested)
        listed = history.scans(target=untested.target)
        assert [(s.id, s.grade, s.score) for s in listed] == [(scan_id, None, None)]
        assert history.report(scan_id) == untested
    change = diff_reports(graded, untested)
    assert change.drift == "not comparable"
    assert "not tested" in change.to_text()
