"""Benchmark: dashboard server time per page with 10,000 stored scans (budget: <= 200 ms).

Fills a fresh history (SQLite by default, or --db URL) with 10,000 scans of 50 targets, built
from one real report (a scan of a small API served here on 127.0.0.1) with varied times,
scores and grades, then times each page through the WSGI app in this process (Flask's test
client: server time, no network), logged in as a real user with a real CSRF token.

    .venv/bin/python bench/dashboard_pages.py [--scans 10000] [--runs 20] [--db URL]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, Response

from apivigil.core.config import ScanOptions
from apivigil.core.scoring import grade_for
from apivigil.demo.server import CertificateAuthority, serve_wsgi
from apivigil.engine.runner import Scanner
from apivigil.server.app import ServerSettings, create_app, ensure_admin
from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring

PASSWORD = "benchmark-password-1234"
TARGET = "https://api-07.example.test/"


class NoScans:
    def submit(self, target_id: int) -> str:
        raise RuntimeError("no scans in the benchmark")

    def pending(self) -> dict[str, int]:
        return {}

    def shutdown(self) -> None:
        pass


def real_report(directory: Path):  # type: ignore[no-untyped-def]
    app = Flask("bench")

    @app.get("/")
    def index() -> Response:
        return Response('{"ok": true}', content_type="application/json")

    authority = CertificateAuthority(directory)
    served = serve_wsgi(app, authority.server_context())
    try:
        return Scanner(ScanOptions(url=served.url + "/", cacert=str(authority.ca_path),
                                   rate=0.0)).run()
    finally:
        served.stop()


def fill(db: str, scans: int, report) -> None:  # type: ignore[no-untyped-def]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with History(db) as history:
        for number in range(scans):
            target = f"https://api-{number % 50:02d}.example.test/"
            score = 55 + (number * 7) % 46
            moment = start + timedelta(minutes=30 * number)
            history.save(report.model_copy(update={
                "target": target, "score": score, "grade": grade_for(score),
                "started_at": moment, "finished_at": moment + timedelta(seconds=20)}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{Path(tmp) / 'history.db'}"
        with History(db) as history:
            present = history.count()
        if present < args.scans:  # a --db filled by an earlier run is reused
            report = real_report(Path(tmp))
            started = time.perf_counter()
            fill(db, args.scans - present, report)
            print(f"stored {args.scans - present} scans ({len(report.model_dump_json())} B of "
                  f"JSON each) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        with History(db) as history:
            print(f"{history.count()} stored scans", file=sys.stderr)
            ensure_admin(Monitoring(history.engine), PASSWORD)
            newest = history.latest_ids(2)
        app = create_app(ServerSettings(db_url=db, secure_cookies=False), NoScans())
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          client.get("/login").get_data(as_text=True))
        assert token is not None
        login = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                            "csrf_token": token.group(1)})
        assert login.status_code == 302
        pages = {
            "overview (50 targets)": "/",
            "target (chart of 100, 20 reports, 50 rows)": f"/target?url={TARGET}",
            "target, older page": f"/target?url={TARGET}&before={newest[0] - 3000}",
            "scan": f"/scans/{newest[-1]}",
            "diff": f"/diff?a={newest[0]}&b={newest[-1]}",
            "webhooks": "/webhooks",
        }
        print(f"{'page':46} {'median ms':>10} {'max ms':>8}")
        worst = 0.0
        for name, path in pages.items():
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - began) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            worst = max(worst, statistics.median(times))
            print(f"{name:46} {statistics.median(times):10.1f} {max(times):8.1f}")
        print(f"budget 200 ms per page: {'met' if worst <= 200 else 'MISSED'} "
              f"(slowest median {worst:.1f} ms)")


if __name__ == "__main__":
    main()
