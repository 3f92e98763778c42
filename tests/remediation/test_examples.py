"""Every fix example is code that works: the app built from the example's own text is scanned
and the finding is gone, while its vulnerable twin (tests/fixtures/apps/fix_twins.py) still
has it. An example without such a test must say why in its own text."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

import apivigil.checks
from apivigil.core.config import Credentials
from apivigil.core.models import CodeExample, Framework, Remediation
from apivigil.remediation import examples, fixes
from tests.fixtures.apps import fix_twins
from tests.support import rule_ids


@dataclass(frozen=True)
class Scenario:
    """What a scan of the example's app must no longer find, and how to scan it."""

    checks: tuple[str, ...]
    rules: frozenset[str]
    twin: Callable[[], Any]
    path: str = "/api/data"
    credentials: Credentials | None = None


CAROL = Credentials(fix_twins.USER, fix_twins.PASSWORD)
BASIC_AUTH_CHECKS = ("authentication.broken-credential-check",
                     "authentication.malformed-authorization", "authentication.user-enumeration")

SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("basic-auth", Framework.FLASK): Scenario(
        BASIC_AUTH_CHECKS,
        frozenset({"authentication.ignores-username", "authentication.malformed-header-error",
                   "authentication.user-enumeration"}),
        fix_twins.flask_basic_auth, credentials=CAROL),
    ("basic-auth", Framework.FASTAPI): Scenario(
        BASIC_AUTH_CHECKS,
        frozenset({"authentication.ignores-username", "authentication.malformed-header-error",
                   "authentication.user-enumeration"}),
        fix_twins.fastapi_basic_auth, credentials=CAROL),
}


def build(example: CodeExample) -> Any:
    """The app defined by the example's text, exactly as a report shows it."""
    namespace: dict[str, Any] = {"__name__": "apivigil_fix_example"}
    exec(compile(example.code, f"<{example.framework.value} example>", "exec"), namespace)
    return namespace["app"]


def _example(fix: str, framework: Framework) -> CodeExample:
    return next(e for e in examples(fix) if e.framework is framework)


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS),
                         ids=[f"{fix}-{fw.value}" for fix, fw in sorted(SCENARIOS)])
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, serve, serve_asgi, run_scan):
    scenario = SCENARIOS[(fix, framework)]
    example = _example(fix, framework)
    assert example.untested is None

    def url_of(app: Any) -> str:
        return serve_asgi(app) if framework is Framework.FASTAPI else serve(app, tls="modern").url

    # FastAPI apps publish their spec, which apivigil finds from the root URL
    path = "/" if framework is Framework.FASTAPI else scenario.path
    options = {"checks": scenario.checks, "credentials": scenario.credentials}
    before = run_scan(url_of(scenario.twin()) + path, **options)
    after = run_scan(url_of(build(example)) + path, **options)
    assert scenario.rules <= rule_ids(before)
    assert rule_ids(after) & scenario.rules == set()
    assert {o.check: o.status.value for o in after.checks} == dict.fromkeys(
        scenario.checks, "completed")


def _shown_examples() -> list[tuple[str, CodeExample]]:
    """Every example a report can show: those of the check modules' remediations."""
    found: dict[str, tuple[str, CodeExample]] = {}

    def collect(where: str, value: object) -> None:
        if isinstance(value, Remediation):
            for example in value.examples:
                found.setdefault(example.code, (where, example))
        elif isinstance(value, dict):
            for item in value.values():
                collect(where, item)
        elif isinstance(value, tuple | list):
            for item in value:
                collect(where, item)

    for module_info in pkgutil.walk_packages(apivigil.checks.__path__, "apivigil.checks."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            collect(f"{module_info.name}.{name}", value)
    return list(found.values())


def test_every_example_a_report_can_show_is_scanned_or_says_why_not():
    tested = {_example(fix, fw).code for fix, fw in SCENARIOS}
    files = {e.code for fix in fixes() for e in examples(fix)}
    shown = _shown_examples()
    missing = [f"{where} ({example.framework.value})" for where, example in shown
               if example.code not in tested and not example.untested]
    assert missing == []
    # the examples files are all shown by some check, and the tested ones carry no excuse
    assert files <= {example.code for _, example in shown}
    assert all(_example(fix, fw).untested is None for fix, fw in SCENARIOS)
