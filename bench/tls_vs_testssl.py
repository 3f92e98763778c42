"""Benchmark: apivigil's encryption family against testssl.sh on the same legacy TLS server.

A legacy HTTPS server (TLS 1.0+, every suite OpenSSL 3 still builds at security level 0, an
RSA-2048 certificate from a throwaway CA so static-RSA and ROBOT tests have something to do) is
served by this process on 127.0.0.1 only. Then, one after the other:

* apivigil: a `Scanner` run of the encryption family's checks against it (in this process);
* testssl.sh (Debian package `testssl.sh`, installed with apt-get when missing) with its
  default checks, the same CA added to its trust stores, JSON output, no DNS and no
  phone-out (it talks to 127.0.0.1 only).

Both wall times and what each reported (medium and above, plus the lows) are printed.

    .venv/bin/python bench/tls_vs_testssl.py [--runs 3] [--skip-testssl]
"""

from __future__ import annotations

import argparse
import json
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trustme
from flask import Flask, jsonify

from apivigil.core.config import ScanOptions
from apivigil.demo.server import serve_wsgi
from apivigil.engine.runner import Scanner

FAMILY = ("encryption.cleartext", "encryption.https-enforcement", "encryption.hsts",
          "encryption.tls", "encryption.certificate", "encryption.cookies")
TESTSSL_SHOWN = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


def legacy_context(directory: Path) -> tuple[ssl.SSLContext, str]:
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost", key_type=trustme.KeyType.RSA)
    ca_path = directory / "bench-ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    context.minimum_version = ssl.TLSVersion.TLSv1
    leaf.configure_cert(context)
    return context, str(ca_path)


def run_apivigil(url: str, ca_path: str) -> tuple[float, list[str], int, str]:
    started = time.perf_counter()
    report = Scanner(ScanOptions(url=url, cacert=ca_path, checks=FAMILY, rate=0.0,
                                 timeout=5.0)).run()
    wall = time.perf_counter() - started
    lines = [f"{f.severity.value:8} {f.id}" for f in report.findings]
    per_check = ", ".join(f"{o.check.split('.', 1)[1]} {o.duration_s:.2f}"
                          for o in report.checks)
    return wall, lines, report.requests, per_check


def ensure_testssl() -> str:
    found = shutil.which("testssl") or shutil.which("testssl.sh")
    if found:
        return found
    print("installing testssl.sh with apt-get ...", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "testssl.sh"], check=True,
                   capture_output=True, env={"DEBIAN_FRONTEND": "noninteractive",
                                             "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    found = shutil.which("testssl") or shutil.which("testssl.sh")
    if not found:
        raise SystemExit("testssl.sh is not available after apt-get install")
    return found


def run_testssl(binary: str, port: int, directory: Path, ca_path: str) -> tuple[float, list[str]]:
    out = directory / f"testssl-{time.monotonic_ns()}.json"
    command = [binary, "--quiet", "--warnings", "off", "--nodns", "min", "--ip", "one",
               "--color", "0", "--add-ca", ca_path, "--jsonfile", str(out),
               f"127.0.0.1:{port}"]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    wall = time.perf_counter() - started
    entries = json.loads(out.read_text()) if out.exists() else []
    lines = [f"{e['severity'].lower():8} {e['id']}: {e.get('finding', '')[:90]}"
             for e in entries if e.get("severity") in TESTSSL_SHOWN]
    return wall, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-testssl", action="store_true")
    args = parser.parse_args()
    app = Flask("bench-legacy")
    app.get("/")(lambda: jsonify(ok=True))
    with tempfile.TemporaryDirectory(prefix="apivigil-bench-") as tmp:
        directory = Path(tmp)
        context, ca_path = legacy_context(directory)
        served = serve_wsgi(app, context)
        port = int(served.url.rsplit(":", 1)[1])
        try:
            walls = []
            for run in range(1, args.runs + 1):
                wall, lines, requests, per_check = run_apivigil(served.url + "/", ca_path)
                walls.append(wall)
                print(f"apivigil run {run}: {wall:.2f} s, {requests} HTTP requests, "
                      f"{len(lines)} findings (per check s: {per_check})")
            print(f"apivigil median {statistics.median(walls):.2f} s; findings:")
            print("\n".join("  " + line for line in lines))
            if args.skip_testssl:
                return
            binary = ensure_testssl()
            wall, found = run_testssl(binary, port, directory, ca_path)
            print(f"testssl.sh ({binary}) 1 run: {wall:.2f} s; "
                  f"{len(found)} results at low or above:")
            print("\n".join("  " + line for line in found))
        finally:
            served.stop()


if __name__ == "__main__":
    main()
