"""Benchmark: a 20-operation API fully examined at default settings (issue 13).

A bookshop-like API with 20 operations (5 resources with listing, item-by-key and create,
search, health, login, register and a public catalogue) is served over TLS on 127.0.0.1 by
this process; `apivigil scan` runs as a separate process at its default settings (rate 50/s,
budget 1000, concurrency 4) with the spec and two bearer identities. Prints wall time, total
requests and the requests each operation received, with the checks that tried it.
Targets: <= 10 s and <= 600 requests on a 2-core machine.

    .venv/bin/python bench/coverage_20_operations.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request

from apivigil.demo.server import CertificateAuthority, serve_wsgi

RESOURCES = {"users": "username", "books": "title", "orders": "id", "reviews": "uuid",
             "authors": "slug"}
EXTRA: list[str] = []
TOKENS = {"tok-alice-7f3a9c": "alice", "tok-bob-2b8e1d": "bob"}


def spec() -> dict[str, Any]:
    bearer = [{"bearer": []}]
    paths: dict[str, Any] = {
        "/health": {"get": {"responses": {"200": {"description": "up"}}}},
        "/catalogue": {"get": {"responses": {"200": {"description": "books on sale"}}}},
        "/search": {"get": {"security": bearer, "parameters": [
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"},
             "example": "dune"}], "responses": {"200": {"description": "hits"}}}},
        "/login": {"post": {"responses": {"200": {"description": "token"}}}},
        "/register": {"post": {"responses": {"201": {"description": "created"}}}},
    }
    for name, key in RESOURCES.items():
        paths[f"/{name}"] = {
            "get": {"security": bearer, "responses": {"200": {"description": "mine"}}},
            "post": {"security": bearer, "responses": {"201": {"description": "created"}}}}
        paths[f"/{name}/{{{key}}}"] = {"get": {
            "security": bearer,
            "parameters": [{"name": key, "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "one"}, "404": {"description": "none"}}}}
    return {"openapi": "3.0.3", "info": {"title": "bench", "version": "1"},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "paths": paths}


def app() -> Flask:
    api = Flask("bench-20")
    data = {name: [{key: f"{owner}-{name}-{i}", "owner": owner, "note": f"{owner}'s"}
                   for owner in TOKENS.values() for i in range(3)]
            for name, key in RESOURCES.items()}

    def caller() -> str | None:
        auth = request.headers.get("Authorization", "")
        return TOKENS.get(auth[7:]) if auth.startswith("Bearer ") else None

    @api.after_request
    def hsts(response: Any) -> Any:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
        response.headers["Cache-Control"] = "no-store"
        return response

    @api.get("/health")
    def health() -> Any:
        return jsonify(status="ok")

    @api.get("/catalogue")
    def catalogue() -> Any:
        return jsonify([{"title": b["title"]} for b in data["books"]])

    @api.get("/search")
    def search() -> Any:
        if caller() is None:
            return jsonify(msg="token required"), 401
        q = request.args.get("q", "")
        return jsonify([b for b in data["books"] if q in b["title"] and b["owner"] == caller()])

    @api.post("/login")
    @api.post("/register")
    def public_post() -> Any:
        return jsonify(msg="ok")

    def listing(name: str) -> Any:
        user = caller()
        if user is None:
            return jsonify(msg="token required"), 401
        if request.method == "POST":
            return jsonify(msg="created"), 201
        return jsonify([o for o in data[name] if o["owner"] == user])

    def item(name: str, value: str) -> Any:
        user = caller()
        if user is None:
            return jsonify(msg="token required"), 401
        key = RESOURCES[name]
        found = [o for o in data[name] if o[key] == value and o["owner"] == user]
        return (jsonify(found[0]), 200) if found else (jsonify(msg="none"), 404)

    for name, key in RESOURCES.items():
        api.add_url_rule(f"/{name}", f"list_{name}", lambda name=name: listing(name),
                         methods=["GET", "POST"])
        api.add_url_rule(f"/{name}/<{key}>", f"item_{name}",
                         lambda name=name, **kw: item(name, next(iter(kw.values()))))
    return api


def scan_once(authority: CertificateAuthority, spec_file: Path) -> dict[str, Any]:
    served = serve_wsgi(app(), authority.server_context(), 0)
    try:
        command = [sys.executable, "-m", "apivigil", "scan", served.url, "--spec",
                   str(spec_file), "--cacert", str(authority.ca_path), "--format", "json",
                   "--no-store", *EXTRA]
        for token, name in TOKENS.items():
            command += ["--identity", f"{name}=Authorization: Bearer {token}"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False,
                                env={**os.environ})
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    finally:
        served.stop()
    if result.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({result.returncode}): {result.stderr[-500:]}")
    report = json.loads(result.stdout)
    return {"wall": wall, "cpu": cpu, "report": report}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        authority = CertificateAuthority(Path(tmp))
        spec_file = Path(tmp) / "openapi.json"
        spec_file.write_text(json.dumps(spec()))
        runs = [scan_once(authority, spec_file) for _ in range(args.runs)]
    report = runs[-1]["report"]
    operations = report["operations"]
    print(f"operations in the spec: {len(operations)}")
    print(f"{'operation':28} {'status':10} {'requests':>8}  checks that tried it")
    for op in operations:
        print(f"{op['method'] + ' ' + op['path']:28} {op['status']:10} {op['requests']:>8}  "
              f"{len(op['tried'])}")
    walls = [r["wall"] for r in runs]
    requests = [r["report"]["requests"] for r in runs]
    cpus = [r["cpu"] for r in runs]
    print(f"scanner CPU time (s): median {statistics.median(cpus):.2f}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time grows with load)")
    print(f"wall time (s): median {statistics.median(walls):.2f}, max {max(walls):.2f} "
          f"over {len(runs)} runs (target <= 10)")
    print(f"requests: {requests} (target <= 600); grade {report['grade']} "
          f"score {report['score']}; findings {len(report['findings'])}")
    slowest = sorted(report["checks"], key=lambda c: -c["duration_s"])[:6]
    print("slowest checks: " + ", ".join(f"{c['check']} {c['duration_s']:.2f}s "
                                         f"({c['requests']} req)" for c in slowest))
    untested = [o["method"] + " " + o["path"] for o in operations
                if o["method"] == "GET" and o["requests"] == 0]
    print(f"GET operations with no request: {untested or 'none'}")


if __name__ == "__main__":
    main()
