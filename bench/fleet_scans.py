"""Benchmark: 20 loopback targets scanned by 2 Celery workers vs the same 20 scans one after
another (budget: fleet time <= 0.6 x sequential).

Everything is real and local: a Redis and a PostgreSQL started here on 127.0.0.1, 20 HTTPS
APIs served by this process (each answers after a fixed delay, like a real API across a
network), each a monitored target. Sequential: `fleet.jobs.run_job` for each target in turn,
in this process. Fleet: two `apivigil worker` processes (one scan at a time each), started and
idle before the clock starts; the clock runs from queueing the 20 jobs until all 20 are stored.

    .venv/bin/python bench/fleet_scans.py [--targets 20] [--delay 0.15]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.services and tests.fleet.support hold the set-up code

from tests.fleet.support import (  # noqa: E402
    serve_targets,
    start_worker,
    stop_worker,
    stored,
    wait_until,
)
from tests.services import postgres_server, redis_server  # noqa: E402

from apivigil.demo.server import CertificateAuthority  # noqa: E402
from apivigil.fleet.celery_app import CeleryDispatcher  # noqa: E402
from apivigil.fleet.jobs import new_job_id, run_job  # noqa: E402
from apivigil.store.history import History  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as db, \
            redis_server() as broker:
        with History(db):
            pass
        authority = CertificateAuthority(Path(tmp))
        servers, _apis, ids = serve_targets(authority, args.targets, args.delay, db)
        workers = []
        try:
            started = time.perf_counter()
            for target_id in ids:
                run_job(db, target_id, new_job_id())
            sequential = time.perf_counter() - started
            print(f"sequential: {args.targets} scans in {sequential:.1f} s "
                  f"({sequential / args.targets:.2f} s each)")

            log = Path(tmp) / "workers.log"
            workers = [start_worker(broker, db, log, visibility=600) for _ in range(2)]
            time.sleep(8)  # both workers up and waiting (their start is not the scans' time)
            dispatcher = CeleryDispatcher(broker, db)
            started = time.perf_counter()
            jobs = [dispatcher.submit(target_id) for target_id in ids]
            wait_until(lambda: len(stored(db, jobs)) == len(jobs), timeout=600, step=0.1)
            fleet = time.perf_counter() - started
            done = len(stored(db, jobs))
            dispatcher.shutdown()
            print(f"2 workers:  {done}/{args.targets} scans in {fleet:.1f} s")
            ratio = fleet / sequential
            print(f"ratio {ratio:.2f} (budget <= 0.60: {'met' if ratio <= 0.6 else 'MISSED'})")
        finally:
            for worker in workers:
                stop_worker(worker)
            for server in servers:
                server.stop()


if __name__ == "__main__":
    main()
