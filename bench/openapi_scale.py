"""Benchmark: scan a generated N-operation API on 127.0.0.1 with default settings.

Issue 7: a 500-operation API in <= 60 s, and scan time growing linearly with the number of
operations. The API (Flask, HTTPS with a throwaway CA, plus a cleartext twin that redirects)
and its OpenAPI 3.0 spec are generated here: half the operations are collections
(GET /resK), half items (GET /resK/{id}, integer id), all secured with Basic Auth and
answering 200 to the scan's credentials. The scan runs in-process with every check and the
ScanOptions defaults (rate 50/s, concurrency 4, budget 1000 requests), except the CA.

    .venv/bin/python bench/openapi_scale.py [--sizes 50,100,200,500]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request

from apivigil.core.config import Credentials, ScanOptions
from apivigil.demo.apps import https_redirect_app
from apivigil.demo.server import CertificateAuthority, serve_wsgi
from apivigil.engine.runner import Scanner

USER, PASSWORD = "bench", "bench-password-1"


def challenge() -> Response:
    response = jsonify(error="invalid credentials")
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Basic realm="bench"'
    return response

ITEM = {"type": "object", "additionalProperties": False,
        "properties": {"id": {"type": "integer"}, "name": {"type": "string", "maxLength": 40}}}


def generated(operations: int, https_url: str) -> tuple[Flask, dict[str, Any]]:
    app = Flask(f"generated-{operations}")
    app.logger.disabled = True  # other checks send malformed headers on purpose
    paths: dict[str, Any] = {}
    for i in range(operations):
        if i % 2 == 0:
            paths[f"/res{i // 2}"] = {"get": {"responses": {
                "200": {"description": "list", "content": {"application/json": {
                    "schema": {"type": "array", "items": ITEM}}}},
                "401": {"description": "no credentials"}}}}
        else:
            paths[f"/res{i // 2}/{{id}}"] = {"get": {
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"description": "one", "content": {"application/json": {
                    "schema": ITEM}}}, "401": {"description": "no credentials"},
                    "404": {"description": "no such item"}}}}

    @app.before_request
    def authenticate() -> Response | None:
        auth = request.authorization
        if request.path in ("/", "/openapi.json"):
            return None
        if not (auth and auth.username == USER and auth.password == PASSWORD):
            return challenge()
        return None

    @app.after_request
    def hsts(response: Response) -> Response:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        response.headers["Cache-Control"] = "no-store"
        return response

    app.add_url_rule("/", "index", lambda: jsonify(service="generated"))
    app.add_url_rule("/res<int:k>", "collection",
                     lambda k: jsonify([{"id": 1, "name": "one"}]))
    app.add_url_rule("/res<int:k>/<int:item>", "item",
                     lambda k, item: jsonify(id=item, name="one"))
    spec = {"openapi": "3.0.3", "info": {"title": "generated", "version": "1"},
            "servers": [{"url": https_url}],
            "security": [{"basic": []}],
            "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
            "paths": paths}
    return app, spec


def scan(operations: int, authority: CertificateAuthority, workdir: Path) -> dict[str, Any]:
    holder: dict[str, Any] = {}

    def dispatch(environ: Any, start_response: Any) -> Any:
        return holder["app"](environ, start_response)

    https = serve_wsgi(dispatch, authority.server_context())
    http = serve_wsgi(https_redirect_app(https.url))
    try:
        app, spec = generated(operations, https.url)
        holder["app"] = app
        spec_path = workdir / f"spec-{operations}.json"
        spec_path.write_text(json.dumps(spec))
        options = ScanOptions(url=https.url, spec=str(spec_path),
                              credentials=Credentials(USER, PASSWORD),
                              cacert=str(authority.ca_path),
                              http_port=int(http.url.rsplit(":", 1)[1]))
        started = time.perf_counter()
        report = Scanner(options).run()
        wall = time.perf_counter() - started
    finally:
        http.stop()
        https.stop()
    exercised = sum(o.status == "exercised" for o in report.operations)
    worst = report.worst_severity()
    return {"operations": len(report.operations), "exercised": exercised, "wall": wall,
            "requests": report.requests, "grade": report.grade,
            "worst": worst.value if worst else "-",
            "errors": [o.check for o in report.checks if o.status.value == "error"],
            "above_low": sorted({f"{f.id} ({f.severity.value})" for f in report.findings
                                 if f.severity.rank > 1})}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,100,200,500")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        authority = CertificateAuthority(Path(tmp))
        rows = [scan(n, authority, Path(tmp)) for n in sizes]
    print("| operations | exercised | requests | wall (s) | s per operation | grade | worst |")
    print("|---:|---:|---:|---:|---:|:-:|:-:|")
    for row in rows:
        print(f"| {row['operations']} | {row['exercised']} | {row['requests']} | "
              f"{row['wall']:.1f} | {row['wall'] / row['operations']:.3f} | {row['grade']} | "
              f"{row['worst']} |")
        if row["above_low"]:
            print(f"  findings above low: {row['above_low']}")
        if row["errors"]:
            print(f"  checks that errored: {row['errors']}")
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        slope = (last["wall"] - first["wall"]) / (last["operations"] - first["operations"])
        print(f"marginal cost {slope:.3f} s per operation between {first['operations']} and "
              f"{last['operations']} operations")
    big = next((r for r in rows if r["operations"] >= 500), None)
    if big:
        print(f"{big['operations']} operations in {big['wall']:.1f} s (target <= 60 s): "
              f"{'OK' if big['wall'] <= 60 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
