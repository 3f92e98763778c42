"""Fleet scans for real: Redis, PostgreSQL, two `apivigil worker` processes (Celery), twenty
loopback APIs queued as jobs; one worker is killed (SIGKILL, the whole process group) while it
is scanning. Its task was not acknowledged, so Redis hands it out again and the other worker
runs it: every job is stored exactly once."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from apivigil.fleet.celery_app import CeleryDispatcher
from apivigil.store.history import History
from tests.fleet.support import (
    connected_ports,
    kill_worker,
    serve_targets,
    start_worker,
    stop_worker,
    stored,
    wait_until,
)
from tests.services import redis_server
from tests.store.conftest import emptied

TARGETS = 20


def test_twenty_targets_on_two_workers_one_killed_mid_scan(postgres_url, authority, tmp_path):
    db = emptied(postgres_url)
    with History(db):
        pass  # create the tables before two workers race to
    servers, apis, target_ids = serve_targets(authority, TARGETS, delay=0.15, db_url=db)
    workers = []
    try:
        with redis_server() as broker:
            log = tmp_path / "workers.log"
            workers = [start_worker(broker, db, log), start_worker(broker, db, log)]
            dispatcher = CeleryDispatcher(broker, db)
            jobs = [dispatcher.submit(target_id) for target_id in target_ids]

            # Kill the first worker while it is scanning: once a few scans are stored, at a
            # moment when it holds a connection to a target whose job is not stored yet.
            assert wait_until(lambda: len(stored(db, jobs)) >= 3, timeout=120), \
                log.read_text()[-3000:]
            port_to_index = {int(s.url.rsplit(":", 1)[1]): i for i, s in enumerate(servers)}

            def scanning_now() -> list[int]:
                done = stored(db, jobs)
                return [port_to_index[p] for p in connected_ports(workers[0])
                        if p in port_to_index and jobs[port_to_index[p]] not in done]

            victims = wait_until(scanning_now, timeout=60, step=0.05)
            assert victims, "the first worker was never caught scanning"
            kill_worker(workers[0])
            victim = victims[0]
            hits_at_kill = apis[victim].hits

            wait_until(lambda: len(stored(db, jobs)) == TARGETS, timeout=240, step=0.5)
            done = stored(db, jobs)
            assert len(done) == TARGETS, (len(done), log.read_text()[-3000:])
            dispatcher.shutdown()

        # Exactly once: one scan per job and per target, no orphan rows.
        engine = create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            scans = connection.execute(text("SELECT target, count(*) FROM scans GROUP BY target")
                                       ).all()
            job_rows = connection.execute(text("SELECT count(*) FROM scan_jobs")).scalar()
        engine.dispose()
        assert sorted(count for _target, count in scans) == [1] * TARGETS
        assert {target for target, _ in scans} == {s.url + "/" for s in servers}
        assert job_rows == TARGETS
        assert len(set(done.values())) == TARGETS
        # The interrupted scan was run again after the kill (Redis redelivered the task).
        assert apis[victim].hits > hits_at_kill
    finally:
        for worker in workers:
            stop_worker(worker)
        for server in servers:
            server.stop()
