"""Benchmark: the budgets of login flows and the JWT family (issue: token APIs).

Serves the token fixture apps of the test suite on 127.0.0.1 over HTTPS and prints:

1. the offline HMAC key guess over the whole bundled list (jwt.weak-secret), for a key that is
   not on it (the worst case) and one that is, median and max of REPEATS runs (budget 2 s);
2. the requests of the JWT family (jwt.analysis, jwt.weak-secret, jwt.forgery) on each JWT
   fixture, vulnerable and clean (budget 15);
3. the requests the authentication and rate-limiting checks send to the login POST of a clean
   JSON login (the worst case: nothing throttles, so every burst runs to its end), and in all
   (budget 150 per login endpoint).

    .venv/bin/python bench/login_and_jwt.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jwt
from jwt.warnings import InsecureKeyLengthWarning
from tests.fixtures.apps.tokens import PASSWORD, USER, WEAK_KEY, jwt_api
from tests.support import Recorder

from apivigil.checks.jwt.tokens import common_secrets, decode, guess_hmac_key
from apivigil.core.config import Credentials, LoginOptions, ScanOptions
from apivigil.core.models import Report
from apivigil.demo.server import CertificateAuthority, serve_wsgi
from apivigil.engine.runner import Scanner

JWT_CHECKS = ("jwt.analysis", "jwt.weak-secret", "jwt.forgery")
LOGIN_CHECKS = ("authentication", "rate_limiting")
FLAWS = (None, "weak-key", "alg-none", "unverified", "expired-accepted", "alg-confusion",
         "rs256", "no-expiry")


def key_guess(repeats: int) -> None:
    candidates = common_secrets()
    print(f"1. offline key guess: {len(candidates)} secrets in the bundled list")
    for label, key in (("key not on the list", secrets.token_hex(32)), ("key on it", WEAK_KEY)):
        token = decode(jwt.encode({"sub": "x", "exp": int(time.time()) + 60}, key,
                                  algorithm="HS256"))
        assert token is not None
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            guess_hmac_key(token, candidates)
            times.append(time.perf_counter() - started)
        print(f"   {label:20s} median {statistics.median(times):.3f} s, max {max(times):.3f} s "
              "(budget 2 s)")


def scan(url: str, authority: CertificateAuthority, checks: tuple[str, ...]) -> Report:
    options = ScanOptions(url=url, credentials=Credentials(USER, PASSWORD),
                          login=LoginOptions(path="/api/login"), checks=checks, rate=0.0,
                          cacert=str(authority.ca_path), timeout=5.0)
    return Scanner(options).run()


def jwt_requests(authority: CertificateAuthority) -> None:
    print("2. JWT family requests per scan (budget 15)")
    for flaw in FLAWS:
        lifetime = 2 if flaw == "expired-accepted" else 300
        served = serve_wsgi(jwt_api(flaw, lifetime=lifetime), authority.server_context())
        try:
            report = scan(served.url, authority, JWT_CHECKS)
        finally:
            served.stop()
        per_check = {o.check: o.requests for o in report.checks}
        findings = sorted(f.id.split(".", 1)[1] for f in report.findings)
        split = ", ".join(f"{k.split('.')[1]} {v}" for k, v in sorted(per_check.items()))
        print(f"   {flaw or 'clean':17s} {sum(per_check.values()):3d} requests ({split})"
              f"  findings: {', '.join(findings) or 'none'}")


def login_requests(authority: CertificateAuthority) -> None:
    print("3. authentication + rate-limiting checks on a clean JSON login (budget 150 per "
          "login endpoint)")
    app = jwt_api()
    recorder = Recorder(app)
    served = serve_wsgi(recorder, authority.server_context())
    try:
        started = time.perf_counter()
        report = scan(served.url, authority, LOGIN_CHECKS)
        wall = time.perf_counter() - started
    finally:
        served.stop()
    posts = sum(r["method"] == "POST" and r["path"] == "/api/login" for r in recorder.requests)
    checks = report.checks
    print(f"   POSTs to /api/login: {posts} (1 of them the scan's own login)")
    print(f"   all requests of these checks: {sum(o.requests for o in checks)}; wall "
          f"{wall:.1f} s")
    for outcome in sorted(checks, key=lambda o: -o.requests):
        if outcome.requests:
            print(f"     {outcome.check:45s} {outcome.requests:3d}  {outcome.status.value}")


def main() -> None:
    warnings.simplefilter("ignore", InsecureKeyLengthWarning)  # the weak-key fixture's own
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        authority = CertificateAuthority(Path(directory))
        key_guess(args.repeats)
        jwt_requests(authority)
        login_requests(authority)


if __name__ == "__main__":
    main()
