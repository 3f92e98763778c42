"""The one way a fix example is proven: the app built from the example's own text is served on
loopback and scanned, and the finding is gone, while its vulnerable twin still has it.

Each `test_*_fixes.py` module in this folder declares `SCENARIOS` {(fix, framework): Scenario}
and calls `verify_fix` (the fixture of the same name in conftest.py) once per scenario;
test_coverage.py checks every example file is scanned by one of them or says why not.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from apivigil.core.config import Credentials
from apivigil.core.models import CodeExample, Framework, Report
from apivigil.remediation import examples
from tests.fixtures.apps import fix_twins
from tests.reporting.tools import require
from tests.support import port_of, rule_ids

ROOT = Path(__file__).resolve().parents[2]
# npm ci'd there by scripts/system-deps.sh, from package.json and its lock
EXPRESS_MODULES = ROOT / "tests" / "remediation" / "express" / "node_modules"
# given the app and the https:// base URL it is served at, more ScanOptions (e.g. a spec file,
# identities whose tokens the app issued)
Prepare = Callable[[Any, str], Mapping[str, Any]]


@dataclass(frozen=True)
class Scenario:
    """What a scan of the example's app must no longer find, and how to scan it."""

    checks: tuple[str, ...]
    rules: frozenset[str]
    twin: Callable[[], Any]
    path: str = "/api/data"
    credentials: Credentials | None = None
    # the app is also served over http:// (scanned with --http-port); this tells the app its
    # HTTPS port, as a user configures it
    https_port: Callable[[Any, int], None] | None = None
    # rules the fixed app must not have either, though its twin cannot show them
    also_clean: frozenset[str] = frozenset()
    # how the example says to run a FastAPI app (uvicorn settings)
    uvicorn: tuple[tuple[str, Any], ...] = ()
    # more ScanOptions fields, the same for both scans (e.g. allow_unsafe_methods=True)
    options: Mapping[str, Any] = field(default_factory=dict)
    prepare: Prepare | None = None
    # where the scan starts; None: the root for FastAPI (its /openapi.json is found from
    # there), `path` for the others
    scan_path: str | None = None
    # the finding must be gone, and so must every other finding of these checks
    all_clean: bool = False
    # the status of the http:// -> https:// redirect (with https_port); Django's is 301
    redirect_status: int = 308
    # an OpenAPI document both scans are given with --spec (the spec a user scans with, e.g.
    # for a Flask app that serves none); None: no --spec
    spec: Mapping[str, Any] | None = None


CAROL = Credentials(fix_twins.USER, fix_twins.PASSWORD)


def flask_https_port(app: Any, port: int) -> None:
    app.config["HTTPS_PORT"] = port


def fastapi_https_port(app: Any, port: int) -> None:
    app.state.https_port = port


def example_of(fix: str, framework: Framework) -> CodeExample:
    return next(e for e in examples(fix) if e.framework is framework)


def namespace_of(example: CodeExample) -> dict[str, Any]:
    """Everything the example's text defines (its `app`, its functions), run as a user runs
    the file."""
    namespace: dict[str, Any] = {"__name__": "apivigil_fix_example"}
    # dont_inherit: not this module's `from __future__ import annotations`, which a user's
    # copy does not have (pydantic resolves string annotations differently)
    exec(compile(example.code, f"<{example.framework.value} example>", "exec",
                 dont_inherit=True), namespace)
    return namespace


def build(example: CodeExample) -> Any:
    """The app defined by the example's text, exactly as a report shows it."""
    return namespace_of(example)["app"]


def scenario_ids(scenarios: Mapping[tuple[str, Framework], Scenario]) -> list[str]:
    return [f"{fix}-{framework.value}" for fix, framework in sorted(scenarios)]


def verify(fix: str, framework: Framework, scenario: Scenario, *, serve: Any, serve_asgi: Any,
           run_scan: Callable[..., Report], authority: Any,
           tmp_path: Path) -> tuple[Report, Report]:
    """Scan the twin, then the example's app; assert the twin has the rules and the example's
    app has none of them, every check completed. Returns (twin's report, fixed report)."""
    example = example_of(fix, framework)
    assert example.untested is None, example.untested
    twin_is_asgi = framework is Framework.FASTAPI

    def url_of(app: Any, asgi: bool, tls: bool = True) -> str:
        if asgi:
            return serve_asgi(app, tls=tls, **dict(scenario.uvicorn))  # type: ignore[no-any-return]
        return serve(app, tls="modern" if tls else None).url  # type: ignore[no-any-return]

    def in_process(app: Any, asgi: bool) -> tuple[str, str | None]:
        https = url_of(app, asgi)
        if scenario.https_port is None:
            return https, None
        scenario.https_port(app, port_of(https))
        return https, url_of(app, asgi, tls=False)

    children: list[subprocess.Popen[str]] = []

    def in_child() -> tuple[str, str | None]:
        """Django configures itself once per process, and an Express app is a Node program:
        such examples run in a process of their own, as their text says to run them."""
        key, chain = tmp_path / "example-key.pem", tmp_path / "example-chain.pem"
        authority.leaf.private_key_pem.write_to_path(str(key))
        chain.write_bytes(b"".join(blob.bytes() for blob in authority.leaf.cert_chain_pems))
        ports = [free_port()] if scenario.https_port is None else [free_port(), free_port()]
        env = dict(os.environ, PORT=str(ports[0]), HTTPS_PORT=str(ports[0]),
                   TLS_CERT=str(chain), TLS_KEY=str(key))
        if len(ports) > 1:  # as the examples say to configure the redirect
            env.update(HTTP_PORT=str(ports[1]), HTTPS_HOST=f"127.0.0.1:{ports[0]}")
        if framework is Framework.EXPRESS:
            require(EXPRESS_MODULES.is_dir(), "the Express examples' npm packages "
                    "(tests/remediation/express)")
            code = tmp_path / "example_app.js"
            env["NODE_PATH"] = str(EXPRESS_MODULES)
            command = ["node", str(code)]
        else:
            code = tmp_path / "example_app.py"
            command = [sys.executable, "-m", "tests.remediation.child_server", str(code),
                       *map(str, ports)]
        code.write_text(example.code, encoding="utf-8")
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)
        children.append(child)
        assert child.stdout is not None and child.stdout.readline(), "the example did not start"
        http = f"http://127.0.0.1:{ports[1]}" if len(ports) > 1 else None
        return f"https://127.0.0.1:{ports[0]}", http

    http_urls: list[str] = []
    https_urls: list[str] = []

    def scan(served: tuple[str, str | None], app: Any, asgi: bool) -> Report:
        https, http = served
        # bcrypt at its default cost is slow on a loaded machine: a generous timeout
        options: dict[str, Any] = {"checks": scenario.checks, "timeout": 20.0,
                                   "credentials": scenario.credentials, **scenario.options}
        if http is not None:
            http_urls.append(http)
            options["http_port"] = port_of(http)
        if scenario.spec is not None:
            spec = tmp_path / "openapi.json"
            spec.write_text(json.dumps(scenario.spec), encoding="utf-8")
            options["spec"] = str(spec)
        if scenario.prepare is not None:
            options.update(scenario.prepare(app, https))
        https_urls.append(https)
        start = scenario.scan_path
        if start is None:
            start = "/" if asgi else scenario.path
        return run_scan(https + start, **options)

    try:
        twin = scenario.twin()
        before = scan(in_process(twin, twin_is_asgi), twin, twin_is_asgi)
        if framework in (Framework.DJANGO, Framework.EXPRESS):
            after = scan(in_child(), None, False)
        else:
            app = build(example)
            asgi = framework is Framework.FASTAPI
            after = scan(in_process(app, asgi), app, asgi)
        if scenario.https_port is not None:
            # a client that follows the redirect lands on the HTTPS port, not the http://
            # one (the scan judges that too: encryption.redirect-to-dead-https)
            with httpx.Client(verify=str(authority.ca_path), follow_redirects=True) as client:
                landed = client.get(http_urls[-1] + scenario.path + "?q=1")
            assert landed.status_code == 200
            assert str(landed.url) == (
                f"https://127.0.0.1:{port_of(https_urls[-1])}{scenario.path}?q=1")
            assert landed.history[0].status_code == scenario.redirect_status
    finally:
        for child in children:
            child.terminate()
            child.communicate(timeout=30)
    assert scenario.rules <= rule_ids(before), rule_ids(before)
    assert rule_ids(after) & (scenario.rules | scenario.also_clean) == set(), rule_ids(after)
    if scenario.all_clean or scenario.https_port is not None:
        assert rule_ids(after) == set()
    assert {o.check: o.status.value for o in after.checks} == dict.fromkeys(
        scenario.checks, "completed")
    return before, after


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
