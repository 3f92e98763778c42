"""Benchmark: how long each report writer and the scan history take on the vulnerable demo.

Scans the vulnerable demo once (served by this process on 127.0.0.1), then renders the report
in every format N times and stores/reloads it in a SQLite history. Prints median times.

    .venv/bin/python bench/reports.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from apivigil.demo.server import demo_scan_options, serve_demo
from apivigil.engine.runner import Scanner
from apivigil.reporting import format_names, writer
from apivigil.store.diff import diff_reports
from apivigil.store.history import History


def median_ms(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with serve_demo(hardened=False) as demo:
        report = Scanner(demo_scan_options(demo)).run()
    print(f"demo report: {len(report.findings)} findings, {len(report.checks)} checks")
    for name in format_names():
        render = writer(name)
        size = len(render(report))
        print(f"{name:<9} {median_ms(lambda r=render: r(report), runs):7.1f} ms  {size:>7} chars")
    with tempfile.TemporaryDirectory() as scratch, History(str(Path(scratch) / "h.db")) as db:
        print(f"history save  {median_ms(lambda: db.save(report), runs):7.1f} ms (SQLite)")
        scan_id = db.save(report)
        print(f"history load  {median_ms(lambda: db.report(scan_id), runs):7.1f} ms")
        print(f"history list  {median_ms(lambda: db.scans(limit=20), runs):7.1f} ms "
              f"({runs + 1} scans stored)")
        print(f"diff          {median_ms(lambda: diff_reports(report, report), runs):7.1f} ms")


if __name__ == "__main__":
    main()
