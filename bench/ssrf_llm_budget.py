"""Benchmark: requests spent by the SSRF, unsafe-consumption and LLM checks, and the final
callback wait.

Targets (issue 15): SSRF + unsafe consumption <= 60 requests on a 20-operation API; the LLM
quick tier <= 10 requests, deep <= 30; the final callback wait <= 3 s. Everything is served
by this process on 127.0.0.1 (the fixture apps of the test suite) and scanned in-process.

    .venv/bin/python bench/ssrf_llm_budget.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, jsonify, request
from tests.fixtures.apps.chat import SPEC_CHAT, chat_api
from tests.fixtures.apps.fetchers import loose_fetch, metadata_app

from apivigil.core.config import ScanOptions
from apivigil.demo.server import serve_wsgi
from apivigil.engine.runner import Scanner
from apivigil.http.callback import CallbackServer

URL_OPERATIONS = ("preview", "feed", "avatar", "webhook_test")


def twenty_operation_api(metadata_origin: str, fetch: bool) -> tuple[Flask, dict[str, Any]]:
    """16 ordinary operations and 4 that take a URL (fetched at once, or accepted for later)."""
    app = Flask("twenty")
    paths: dict[str, Any] = {}
    for number in range(16):
        path = f"/api/things{number}"
        app.add_url_rule(path, f"things{number}", lambda: jsonify(items=[1, 2]))
        paths[path] = {"get": {"parameters": [{"name": "page", "in": "query",
                                               "schema": {"type": "integer"}}],
                               "responses": {"200": {"description": "ok"}}}}
    for name in URL_OPERATIONS:
        path = f"/api/{name}"

        def view() -> Any:
            url = request.args.get("url", "")
            if not fetch:
                return jsonify(accepted=url), 202  # queued: a callback may come later
            try:
                kind, body = loose_fetch(url, metadata_origin)
            except Exception as exc:
                return jsonify(error=str(exc)), 502
            return jsonify(kind=kind, length=len(body))

        app.add_url_rule(path, name, view)
        paths[path] = {"get": {"parameters": [{"name": "url", "in": "query", "required": True,
                                               "schema": {"type": "string", "format": "uri"}}],
                               "responses": {"200": {"description": "ok"}}}}
    spec = {"openapi": "3.0.3", "info": {"title": "twenty", "version": "1"}, "paths": paths}
    return app, spec


def write_spec(spec: dict[str, Any], name: str) -> str:
    import json
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="apivigil-bench-")) / name
    path.write_text(json.dumps(spec))
    return str(path)


def requests_of(report: Any, prefixes: tuple[str, ...]) -> int:
    return sum(o.requests for o in report.checks if o.check.startswith(prefixes))


def main() -> None:
    metadata = serve_wsgi(metadata_app())
    try:
        for fetch in (True, False):
            app, spec = twenty_operation_api(metadata.url, fetch)
            served = serve_wsgi(app)
            try:
                started = time.perf_counter()
                report = Scanner(ScanOptions(url=served.url, spec=write_spec(spec, "t.json"),
                                             checks=("ssrf", "unsafe_consumption"),
                                             rate=0, timeout=6)).run()
                wall = time.perf_counter() - started
            finally:
                served.stop()
            label = "fetching" if fetch else "accept-and-queue"
            ssrf = next(o for o in report.checks if o.check.startswith("ssrf."))
            print(f"SSRF+consumption, 20 operations ({label}): "
                  f"{requests_of(report, ('ssrf.', 'unsafe_consumption.'))} requests "
                  f"(target <= 60), {len(report.findings)} findings, wall {wall:.1f} s, "
                  f"ssrf check {ssrf.duration_s:.2f} s")
        app, spec = twenty_operation_api(metadata.url, fetch=False)
        served = serve_wsgi(app)
        waits: list[float] = []
        original = CallbackServer.wait_for

        def timed(self: CallbackServer, tokens: Any, timeout: float) -> set[str]:
            started = time.perf_counter()
            try:
                return original(self, tokens, timeout)
            finally:
                waits.append(time.perf_counter() - started)

        CallbackServer.wait_for = timed  # type: ignore[method-assign]
        try:
            report = Scanner(ScanOptions(url=served.url, spec=write_spec(spec, "t.json"),
                                         checks=("ssrf.server-side-request-forgery",),
                                         rate=0, settings={"callback_wait": 2.5})).run()
        finally:
            CallbackServer.wait_for = original  # type: ignore[method-assign]
            served.stop()
        print(f"final callback wait (4 callbacks accepted, none arrives, callback_wait=2.5): "
              f"{max(waits):.2f} s (target <= 3 s), {len(waits)} wait(s) in the scan")
    finally:
        metadata.stop()
    chat = serve_wsgi(chat_api(vulnerable=True))
    try:
        for tier in ("quick", "standard", "deep"):
            report = Scanner(ScanOptions(url=chat.url, spec=write_spec(SPEC_CHAT, "c.json"),
                                         checks=("llm_security",), llm_probes=tier,
                                         rate=0)).run()
            target = {"quick": "<= 10", "standard": "-", "deep": "<= 30"}[tier]
            print(f"LLM {tier}: {requests_of(report, ('llm_security.',))} requests "
                  f"(target {target}), {len(report.findings)} findings")
    finally:
        chat.stop()


if __name__ == "__main__":
    main()
