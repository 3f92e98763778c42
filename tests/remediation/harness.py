"""The one way a fix example is proven: the app built from the example's own text is served on
loopback and scanned, and the finding is gone, while its vulnerable twin still has it.

Each `test_*_fixes.py` module in this folder declares `SCENARIOS` {(fix, framework): Scenario}
and calls `verify_fix` (the fixture of the same name in conftest.py) once per scenario;
test_coverage.py checks every example file is scanned by one of them or says why not.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from apivigil.core.config import Credentials
from apivigil.core.models import CodeExample, Framework, Report
from apivigil.remediation import examples
from tests.fixtures.apps import fix_twins
from tests.support import port_of, rule_ids

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


_BUILT = itertools.count()


def build(example: CodeExample) -> Any:
    """The app defined by the example's text, exactly as a report shows it, run as a module of
    its own (in sys.modules, as when a user runs the file: pydantic and dataclasses look a
    class's module up there)."""
    module = types.ModuleType(f"apivigil_fix_example_{next(_BUILT)}")
    sys.modules[module.__name__] = module
    # dont_inherit: not this module's `from __future__ import annotations`, which a user's
    # copy does not have (pydantic resolves string annotations differently)
    exec(compile(example.code, f"<{example.framework.value} example>", "exec",
                 dont_inherit=True), vars(module))
    return module.app


def scenario_ids(scenarios: Mapping[tuple[str, Framework], Scenario]) -> list[str]:
    return [f"{fix}-{framework.value}" for fix, framework in sorted(scenarios)]


def verify(fix: str, framework: Framework, scenario: Scenario, *, serve: Any, serve_asgi: Any,
           run_scan: Callable[..., Report], authority: Any) -> tuple[Report, Report]:
    """Scan the twin, then the example's app; assert the twin has the rules and the example's
    app has none of them, every check completed. Returns (twin's report, fixed report)."""
    example = example_of(fix, framework)
    assert example.untested is None, example.untested

    def url_of(app: Any, tls: bool = True) -> str:
        if framework is Framework.FASTAPI:
            return serve_asgi(app, tls=tls, **dict(scenario.uvicorn))  # type: ignore[no-any-return]
        return serve(app, tls="modern" if tls else None).url  # type: ignore[no-any-return]

    http_urls: list[str] = []
    https_urls: list[str] = []

    def scan(app: Any) -> Report:
        https = url_of(app)
        # bcrypt at its default cost is slow on a loaded machine: a generous timeout
        options: dict[str, Any] = {"checks": scenario.checks, "timeout": 20.0,
                                   "credentials": scenario.credentials, **scenario.options}
        if scenario.https_port is not None:
            scenario.https_port(app, port_of(https))
            http_urls.append(url_of(app, tls=False))
            options["http_port"] = port_of(http_urls[-1])
        if scenario.prepare is not None:
            options.update(scenario.prepare(app, https))
        https_urls.append(https)
        start = scenario.scan_path
        if start is None:
            start = "/" if framework is Framework.FASTAPI else scenario.path
        if scenario.spec is None:
            return run_scan(https + start, **options)
        with tempfile.TemporaryDirectory() as folder:
            spec = Path(folder) / "openapi.json"
            spec.write_text(json.dumps(scenario.spec), encoding="utf-8")
            return run_scan(https + start, **{**options, "spec": str(spec)})

    before = scan(scenario.twin())
    after = scan(build(example))
    assert scenario.rules <= rule_ids(before), rule_ids(before)
    assert rule_ids(after) & (scenario.rules | scenario.also_clean) == set(), rule_ids(after)
    if scenario.all_clean or scenario.https_port is not None:
        assert rule_ids(after) == set()
    if scenario.https_port is not None:
        # a client that follows the redirect lands on the HTTPS port, not the http:// one
        # (apivigil does not judge where a redirect to the same host leads)
        with httpx.Client(verify=str(authority.ca_path), follow_redirects=True) as client:
            landed = client.get(http_urls[-1] + scenario.path + "?q=1")
        assert landed.status_code == 200
        assert str(landed.url) == f"https://127.0.0.1:{port_of(https_urls[-1])}{scenario.path}?q=1"
        assert landed.history[0].status_code == 308
    assert {o.check: o.status.value for o in after.checks} == dict.fromkeys(
        scenario.checks, "completed")
    return before, after
