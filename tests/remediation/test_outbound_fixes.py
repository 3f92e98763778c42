"""The outbound fixes (SSRF, consumption of third-party content, webhooks, LLM endpoints)
scanned fixed and vulnerable."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_outbound as twins
from tests.remediation.harness import Scenario, build, example_of, scenario_ids

SSRF_CHECKS = ("ssrf.server-side-request-forgery",)
# the callback server on 127.0.0.1 is fetched (proof), and so is a closed loopback port
SSRF_RULES = frozenset({"ssrf.callback-fetched", "ssrf.internal-connection"})
FETCHER_PATH = "/api/preview?url=" + quote(twins.UNLISTED_URL, safe="")

SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("ssrf-allow-list", Framework.FLASK): Scenario(
        SSRF_CHECKS, SSRF_RULES | {"ssrf.file-read"}, twins.flask_fetcher, path=FETCHER_PATH,
        all_clean=True),
    ("ssrf-allow-list", Framework.FASTAPI): Scenario(
        SSRF_CHECKS, SSRF_RULES | {"ssrf.scheme-not-restricted"}, twins.fastapi_fetcher,
        all_clean=True),
}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    verify_fix(SCENARIOS, fix, framework)


# Internal addresses spelled the ways a text filter misses (localhost, decimal, hex, IPv6,
# IPv4-mapped, the "any" address): all on this machine, so a fetch, were one made, would stay
# on loopback.
INTERNAL_URLS = ("https://localhost/", "https://127.0.0.1/", "https://2130706433/",
                 "https://0x7f000001/", "https://[::1]/", "https://[::ffff:127.0.0.1]/",
                 "https://0.0.0.0/")


@pytest.mark.parametrize("framework", [Framework.FLASK, Framework.FASTAPI],
                         ids=lambda f: f.value)
def test_an_allowed_host_that_resolves_to_an_internal_address_is_refused(
        framework, serve, serve_asgi):
    """Even when the allow-list names the host, the address it resolves to decides."""
    from urllib.parse import urlsplit

    app = build(example_of("ssrf-allow-list", framework))
    hosts = {urlsplit(url).hostname for url in INTERNAL_URLS}
    if framework is Framework.FLASK:
        app.config["FETCH_ALLOWED_HOSTS"] = hosts
        base = serve(app).url
    else:
        app.state.fetch_allowed_hosts = hosts
        base = serve_asgi(app, tls=False)
    with httpx.Client(base_url=base, trust_env=False) as client:
        for url in INTERNAL_URLS:
            answer = client.get("/api/preview", params={"url": url})
            assert (answer.status_code, answer.json()) == (
                400, {"error": "this URL is not allowed"}), url
