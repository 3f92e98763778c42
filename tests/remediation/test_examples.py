"""Every fix example is code that works: the app built from the example's own text is scanned
and the finding is gone, while its vulnerable twin (tests/fixtures/apps/fix_twins.py) still
has it. An example without such a test must say why in its own text."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import apivigil.checks
from apivigil.core.config import Credentials
from apivigil.core.models import CodeExample, Framework, Remediation, Report
from apivigil.remediation import examples, fixes
from tests.fixtures.apps import fix_twins
from tests.support import port_of, rule_ids


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


def flask_https_port(app: Any, port: int) -> None:
    app.config["HTTPS_PORT"] = port


def fastapi_https_port(app: Any, port: int) -> None:
    app.state.https_port = port


CAROL = Credentials(fix_twins.USER, fix_twins.PASSWORD)
BASIC_AUTH_CHECKS = ("authentication.broken-credential-check",
                     "authentication.malformed-authorization", "authentication.user-enumeration",
                     "authentication.verbose-errors")
BASIC_AUTH_RULES = frozenset({
    "authentication.ignores-username", "authentication.malformed-header-error",
    "authentication.user-enumeration", "authentication.verbose-auth-error",
    "authentication.username-echoed"})

THROTTLING_CHECKS = ("rate_limiting.login-throttling", "rate_limiting.bypass")
THROTTLING_RULES = frozenset({"rate_limiting.no-login-throttling"})
# keyed on the connection's address: a forged X-Forwarded-For or a path variant starts no
# new count (the twin has no limit to bypass)
BYPASS_RULES = frozenset({"rate_limiting.address-header-bypass",
                          "rate_limiting.path-variant-bypass"})
HTTPS_CHECKS = ("encryption.cleartext", "encryption.https-enforcement", "encryption.hsts")
# the twin serves the API over http:// too, without HSTS; the fixed app must not get any
# finding of these checks (a wrong redirect would be https-enforcement's)
HTTPS_RULES = frozenset({"encryption.https-not-enforced", "encryption.hsts-missing"})

SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("basic-auth", Framework.FLASK): Scenario(
        BASIC_AUTH_CHECKS, BASIC_AUTH_RULES,
        fix_twins.flask_basic_auth, credentials=CAROL),
    ("basic-auth", Framework.FASTAPI): Scenario(
        BASIC_AUTH_CHECKS, BASIC_AUTH_RULES,
        fix_twins.fastapi_basic_auth, credentials=CAROL),
    ("login-throttling", Framework.FLASK): Scenario(
        THROTTLING_CHECKS, THROTTLING_RULES, fix_twins.flask_basic_auth, credentials=CAROL,
        also_clean=BYPASS_RULES),
    ("login-throttling", Framework.FASTAPI): Scenario(
        THROTTLING_CHECKS, THROTTLING_RULES, fix_twins.fastapi_basic_auth, credentials=CAROL,
        also_clean=BYPASS_RULES, uvicorn=(("proxy_headers", False),)),
    ("https-only", Framework.FLASK): Scenario(
        HTTPS_CHECKS, HTTPS_RULES, fix_twins.flask_plain, https_port=flask_https_port),
    ("https-only", Framework.FASTAPI): Scenario(
        HTTPS_CHECKS, HTTPS_RULES, fix_twins.fastapi_plain, https_port=fastapi_https_port),
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
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, serve, serve_asgi, run_scan,
                                                    authority):
    scenario = SCENARIOS[(fix, framework)]
    example = _example(fix, framework)
    assert example.untested is None

    def url_of(app: Any, tls: bool = True) -> str:
        if framework is Framework.FASTAPI:
            return serve_asgi(app, tls=tls, **dict(scenario.uvicorn))
        return serve(app, tls="modern" if tls else None).url

    http_urls: list[str] = []
    https_urls: list[str] = []

    def scan(app: Any) -> Report:
        https = url_of(app)
        # bcrypt at its default cost is slow on a loaded machine: a generous timeout
        options: dict[str, Any] = {"checks": scenario.checks, "timeout": 20.0,
                                   "credentials": scenario.credentials}
        if scenario.https_port is not None:
            scenario.https_port(app, port_of(https))
            http_urls.append(url_of(app, tls=False))
            options["http_port"] = port_of(http_urls[-1])
        # FastAPI apps publish their spec, which apivigil finds from the root URL
        https_urls.append(https)
        return run_scan(https + ("/" if framework is Framework.FASTAPI else scenario.path),
                        **options)

    before = scan(scenario.twin())
    after = scan(build(example))
    https_url = https_urls[-1]
    assert scenario.rules <= rule_ids(before)
    assert rule_ids(after) & (scenario.rules | scenario.also_clean) == set()
    if scenario.https_port is not None:  # every rule of these checks, not only the twin's
        assert rule_ids(after) == set()
        # and a client that follows the redirect lands on the HTTPS port, not the http:// one
        # (apivigil does not judge where a redirect to the same host leads)
        with httpx.Client(verify=str(authority.ca_path), follow_redirects=True) as client:
            landed = client.get(http_urls[-1] + scenario.path + "?q=1")
        assert landed.status_code == 200
        assert str(landed.url) == f"https://127.0.0.1:{port_of(https_url)}{scenario.path}?q=1"
        assert landed.history[0].status_code == 308
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
    # the complete hardened APIs are shown by the docs pages, tested by test_hardened_docs
    files = {e.code for fix in fixes() if fix != "hardened-basic-auth" for e in examples(fix)}
    shown = _shown_examples()
    missing = [f"{where} ({example.framework.value})" for where, example in shown
               if example.code not in tested and not example.untested]
    assert missing == []
    # the examples files are all shown by some check, and the tested ones carry no excuse
    assert files <= {example.code for _, example in shown}
    assert all(_example(fix, fw).untested is None for fix, fw in SCENARIOS)
