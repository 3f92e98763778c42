"""Benchmark: how long apivigil takes to start, and which imports the time goes to.

Prints the median wall time (over --runs) of `apivigil --version`, `apivigil checks` and the
time from process start to the first request of a scan (a loopback HTTP server in this
process notes when the scan's first request arrives), then the import time of `--version` and
of a scan by package (`python -X importtime`). Targets (issue 17): --version <= 0.2 s, first
request of a scan <= 0.5 s on the 2-core development machine. Timings are printed, never
asserted; the load average is printed with them, since other processes inflate them.

    .venv/bin/python bench/startup.py [--runs 5] [--top 15]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

APIVIGIL = [sys.executable, "-c", "from apivigil.cli import main; main()"]
ENV = {**os.environ, "NO_COLOR": "1", "APIVIGIL_NO_PLUGINS": "1"}


class FirstRequest(BaseHTTPRequestHandler):
    """Answers every GET with a small JSON body and notes when the first one arrived."""

    arrivals: list[float] = []

    def do_GET(self) -> None:
        FirstRequest.arrivals.append(time.perf_counter())
        body = b'{"items": [1, 2]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def wall(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([*APIVIGIL, *args], env=ENV, capture_output=True, check=True)
    return time.perf_counter() - started


def first_request(url: str) -> tuple[float, float]:
    """(seconds to the scan's first request, seconds for the whole scan)."""
    FirstRequest.arrivals.clear()
    started = time.perf_counter()
    subprocess.run([*APIVIGIL, "scan", url, "-f", "json", "--no-store"], env=ENV,
                   capture_output=True, check=False)
    finished = time.perf_counter()
    return FirstRequest.arrivals[0] - started, finished - started


def import_times(args: list[str], top: int) -> list[tuple[int, str]]:
    """Where import time goes: self time summed per package (apivigil per subpackage)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c",
                             "from apivigil.cli import main; main()", *args],
                            env=ENV, capture_output=True, text=True, check=False)
    totals: dict[str, int] = {}
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", line)
        if match:
            parts = match.group(2).split(".")
            package = ".".join(parts[:2] if parts[0] == "apivigil" else parts[:1])
            totals[package] = totals.get(package, 0) + int(match.group(1))
    total = sum(totals.values())
    return [(total, "(all imports)"),
            *sorted(((v, k) for k, v in totals.items()), reverse=True)[:top]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=15)
    options = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FirstRequest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api/items"
    try:
        wall(["--version"])  # warm the file cache and the .pyc files
        version = statistics.median(wall(["--version"]) for _ in range(options.runs))
        checks = statistics.median(wall(["checks"]) for _ in range(options.runs))
        scans = [first_request(url) for _ in range(options.runs)]
    finally:
        server.shutdown()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, median of {options.runs} runs "
          f"({Path(sys.executable).parent.parent.name})")
    print(f"apivigil --version            {version:6.3f} s   (target <= 0.2 s)")
    print(f"apivigil checks               {checks:6.3f} s")
    print(f"scan: first request after     {statistics.median(s[0] for s in scans):6.3f} s   "
          "(target <= 0.5 s)")
    print(f"scan: whole scan (1 endpoint) {statistics.median(s[1] for s in scans):6.3f} s")
    for label, args in (("--version", ["--version"]),
                        ("scan", ["scan", "http://127.0.0.1:9/", "--no-store"])):
        print(f"\nimport time of `apivigil {label}` by package (self ms, python -X importtime):")
        for micros, module in import_times(args, options.top):
            print(f"  {micros / 1000:8.1f}  {module}")


if __name__ == "__main__":
    main()
