"""Benchmark: the demo scan's wall time, requests sent and peak memory.

The demo APIs are served by this process on 127.0.0.1; the scan runs as a separate
`apivigil scan` process, so its wall time and peak RSS are the scanner's own.
Targets (issue 2): <= 10 s wall and <= 400 requests on a 2-core machine.

    .venv/bin/python bench/demo_scan.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

from apivigil.demo.server import demo_scan_options, serve_demo


def scan_once(hardened: bool) -> dict[str, float]:
    with serve_demo(hardened=hardened) as demo:
        options = demo_scan_options(demo)
        assert options.credentials is not None
        command = [
            sys.executable, "-m", "apivigil", "scan", options.url, "--spec", str(options.spec),
            "--cacert", str(options.cacert), "--http-port", str(options.http_port),
            "--max-requests", str(options.max_requests), "--rate", "0", "--format", "json",
            "--no-store",
        ]
        env = {**os.environ,
               "APIVIGIL_USER": f"{options.credentials.username}:{options.credentials.password}"}
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode not in (0, 1):
        raise SystemExit(f"scan failed: {result.stderr}")
    report = json.loads(result.stdout)
    return {"wall_s": wall, "requests": report["requests"], "findings": len(report["findings"]),
            "grade": report["grade"], "peak_rss_mib": max(peak_kib, before) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'demo':10} {'run':>3} {'wall s':>7} {'requests':>8} {'findings':>8} "
          f"{'grade':>5} {'peak MiB':>8}")
    for hardened in (False, True):
        label = "hardened" if hardened else "vulnerable"
        walls = []
        for run in range(1, args.runs + 1):
            figures = scan_once(hardened)
            walls.append(figures["wall_s"])
            print(f"{label:10} {run:>3} {figures['wall_s']:>7.2f} {figures['requests']:>8} "
                  f"{figures['findings']:>8} {figures['grade']:>5} "
                  f"{figures['peak_rss_mib']:>8.1f}")
        print(f"{label:10} median wall {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
