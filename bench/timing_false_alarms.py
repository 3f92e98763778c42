"""Benchmark: false-alarm and detection rates of authentication.user-enumeration-timing.

Serves, on 127.0.0.1 over HTTPS, the two timing fixture apps of the test suite:

* constant work with random jitter (3 ms + uniform 0..JITTER ms for every failure): any
  finding is a false alarm;
* leaky (bcrypt cost 8 for the known user, nothing for an unknown one): any run without a
  finding is a miss;

and scans each RUNS times with only the timing check. Prints the rates (with a 95 % upper
bound on the false-alarm rate when none is seen: 3/runs, the rule of three), the requests per
run and the wall time per run.

    .venv/bin/python bench/timing_false_alarms.py [--runs 200] [--leaky-runs 30] [--jitter-ms 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.apps.auth import timing_api
from tests.fixtures.apps.basic import PASSWORD, USER

from apivigil.core.config import Credentials, ScanOptions
from apivigil.demo.server import CertificateAuthority, serve_wsgi
from apivigil.engine.runner import Scanner

CHECK = ("authentication.user-enumeration-timing",)


def run(leaky: bool, runs: int, jitter_s: float, authority: CertificateAuthority) -> None:
    served = serve_wsgi(timing_api(leaky=leaky, jitter_s=jitter_s), authority.server_context())
    flagged, requests, walls, pvalues = 0, [], [], []
    try:
        for _ in range(runs):
            options = ScanOptions(url=served.url + "/api/login", checks=CHECK, rate=0.0,
                                  credentials=Credentials(USER, PASSWORD),
                                  cacert=str(authority.ca_path), timeout=5.0)
            started = time.perf_counter()
            report = Scanner(options).run()
            walls.append(time.perf_counter() - started)
            requests.append(report.checks[0].requests)
            if report.findings:
                flagged += 1
                value = report.findings[0].evidence.data.get("p_value")
                if isinstance(value, float):
                    pvalues.append(value)
    finally:
        served.stop()
    label = "leaky (bcrypt for known users only)" if leaky else (
        f"constant work + jitter 0..{jitter_s * 1000:g} ms")
    rate = flagged / runs
    print(f"{label}: {flagged}/{runs} runs flagged ({rate:.1%})")
    if not leaky and flagged == 0:
        print(f"  false-alarm rate 0 observed; 95 % upper bound {3 / runs:.1%} (rule of three)")
    print(f"  requests per run: median {statistics.median(requests):g}, "
          f"min {min(requests)}, max {max(requests)}")
    print(f"  wall per run: median {statistics.median(walls):.2f} s, max {max(walls):.2f} s")
    if pvalues:
        print(f"  p-values when flagged: max {max(pvalues):.2g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="constant-work runs")
    parser.add_argument("--leaky-runs", type=int, default=30)
    parser.add_argument("--jitter-ms", type=float, default=4.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        authority = CertificateAuthority(Path(tmp))
        run(False, args.runs, args.jitter_ms / 1000, authority)
        run(True, args.leaky_runs, args.jitter_ms / 1000, authority)


if __name__ == "__main__":
    main()
