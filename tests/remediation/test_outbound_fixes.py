"""The outbound fixes (SSRF, consumption of third-party content, webhooks, LLM endpoints)
scanned fixed and vulnerable."""

from __future__ import annotations

import hashlib
import hmac
import socket
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from apivigil.core.config import Identity
from apivigil.core.models import Framework
from tests.fixtures.apps import fix_twins_outbound as twins
from tests.remediation.harness import Scenario, build, example_of, namespace_of, scenario_ids
from tests.support import RawServer, rule_ids

SSRF_CHECKS = ("ssrf.server-side-request-forgery",)
# the callback server on 127.0.0.1 is fetched (proof), and so is a closed loopback port
SSRF_RULES = frozenset({"ssrf.callback-fetched", "ssrf.internal-connection"})
FETCHER_PATH = "/api/preview?url=" + quote(twins.UNLISTED_URL, safe="")

CONTENT_CHECKS = ("unsafe_consumption.fetched-content",)
CONTENT_RULES = frozenset({"unsafe_consumption.template-evaluated",
                           "unsafe_consumption.json-trusted",
                           "unsafe_consumption.redirect-followed",
                           "unsafe_consumption.no-size-limit"})
# every other rule of the check but cleartext-fetch: the test's partner is plain http
CONTENT_CLEAN = frozenset({"unsafe_consumption.reflected-content",
                           "unsafe_consumption.no-time-limit"})

WEBHOOK_CHECKS = ("unsafe_consumption.webhook-signing",)
WEBHOOK_RULES = frozenset({"unsafe_consumption.webhook-unsigned"})
LLM_CHECKS = ("llm_security.endpoint-exposure", "llm_security.prompt-injection",
              "llm_security.output-handling", "llm_security.excessive-agency",
              "llm_security.unbounded-consumption")
# what the deep tier proves on the naive chat API (tests/fixtures/apps/chat.py)
LLM_RULES = frozenset({
    "llm_security.unauthenticated-endpoint", "llm_security.model-disclosed",
    "llm_security.usage-metadata", "llm_security.system-prompt-leak",
    "llm_security.instruction-override", "llm_security.indirect-injection",
    "llm_security.jailbreak", "llm_security.encoding-bypass", "llm_security.client-system-role",
    "llm_security.tool-calls-from-user-text", "llm_security.secrets-in-output",
    "llm_security.personal-data-in-output", "llm_security.unsanitized-output",
    "llm_security.unbounded-output", "llm_security.no-rate-limit"})
LLM_OPTIONS = {"llm_probes": "deep", "settings": {"discover_spec": "false"},
               "user_credential": Identity.from_credential("carol",
                                                           "bearer:" + twins.LLM_API_KEY)}


def configure(app: Any, name: str, value: Any) -> None:
    """Set what an example reads from app.config[NAME] (Flask) or app.state.name (FastAPI),
    as a user adapts it."""
    if hasattr(app, "config"):
        app.config[name.upper()] = value
    else:
        setattr(app.state, name, value)


def the_model_falls_for_everything(app: Any, https: str) -> dict[str, Any]:
    """The example's stand-in model replaced by a gullible one, as a user plugs in theirs:
    the example's own defenses must hold whatever the model does."""
    del https
    configure(app, "model", twins.gullible_model)
    return {}


def partner_is_the_callback_server(app: Any, https: str) -> dict[str, Any]:
    """The example's partner origin is the scan's callback server, as a user configures their
    partner (plain http: there is no TLS partner on loopback), so every hostile answer is
    fetched and must be handled."""
    del https
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    configure(app, "partner_origins", {f"http://127.0.0.1:{port}"})
    return {"callback_listen": f"127.0.0.1:{port}"}


SCENARIOS: dict[tuple[str, Framework], Scenario] = {
    ("ssrf-allow-list", Framework.FLASK): Scenario(
        SSRF_CHECKS, SSRF_RULES | {"ssrf.file-read"}, twins.flask_fetcher, path=FETCHER_PATH,
        all_clean=True),
    ("ssrf-allow-list", Framework.FASTAPI): Scenario(
        SSRF_CHECKS, SSRF_RULES | {"ssrf.scheme-not-restricted"}, twins.fastapi_fetcher,
        all_clean=True),
    ("untrusted-content", Framework.FLASK): Scenario(
        CONTENT_CHECKS, CONTENT_RULES | {"unsafe_consumption.reflected-content",
                                         "unsafe_consumption.no-time-limit"},
        twins.flask_fetcher, path=FETCHER_PATH, also_clean=CONTENT_CLEAN,
        prepare=partner_is_the_callback_server),
    ("untrusted-content", Framework.FASTAPI): Scenario(
        CONTENT_CHECKS, CONTENT_RULES, twins.fastapi_fetcher, also_clean=CONTENT_CLEAN,
        prepare=partner_is_the_callback_server),
    ("llm-endpoint", Framework.FLASK): Scenario(
        LLM_CHECKS, LLM_RULES, twins.flask_chat, scan_path="/v1/chat/completions",
        options=LLM_OPTIONS, prepare=the_model_falls_for_everything, all_clean=True),
    ("llm-endpoint", Framework.FASTAPI): Scenario(
        LLM_CHECKS, LLM_RULES, twins.fastapi_chat, scan_path="/v1/chat/completions",
        options=LLM_OPTIONS, prepare=the_model_falls_for_everything, all_clean=True),
    ("signed-webhooks", Framework.FLASK): Scenario(
        WEBHOOK_CHECKS, WEBHOOK_RULES, twins.flask_webhooks, path="/", all_clean=True),
    ("signed-webhooks", Framework.FASTAPI): Scenario(
        WEBHOOK_CHECKS, WEBHOOK_RULES, twins.fastapi_fetcher, all_clean=True),
}
# the fixed app fetched every hostile answer (over http://, the one finding left) and handled it
FETCHES = {"untrusted-content": frozenset({"unsafe_consumption.cleartext-fetch"})}


@pytest.mark.parametrize(("fix", "framework"), sorted(SCENARIOS), ids=scenario_ids(SCENARIOS))
def test_the_fixed_app_is_clean_and_its_twin_is_not(fix, framework, verify_fix):
    _, fixed = verify_fix(SCENARIOS, fix, framework)
    if fix in FETCHES:
        assert rule_ids(fixed) == FETCHES[fix]


# Internal addresses spelled the ways a text filter misses (localhost, decimal, hex, IPv6,
# IPv4-mapped, the "any" address): all on this machine, so a fetch, were one made, would stay
# on loopback.
INTERNAL_URLS = ("https://localhost/", "https://127.0.0.1/", "https://2130706433/",
                 "https://0x7f000001/", "https://[::1]/", "https://[::ffff:127.0.0.1]/",
                 "https://0.0.0.0/")


FRAMEWORKS = pytest.mark.parametrize("framework", [Framework.FLASK, Framework.FASTAPI],
                                     ids=lambda f: f.value)


def served(framework: Framework, app: Any, serve: Any, serve_asgi: Any) -> str:
    """The example's app on http://127.0.0.1 (what is judged here is not the transport)."""
    return serve(app).url if framework is Framework.FLASK else serve_asgi(app, tls=False)


@FRAMEWORKS
def test_an_allowed_host_that_resolves_to_an_internal_address_is_refused(
        framework, serve, serve_asgi):
    """Even when the allow-list names the host, the address it resolves to decides."""
    app = build(example_of("ssrf-allow-list", framework))
    configure(app, "fetch_allowed_hosts", {urlsplit(url).hostname for url in INTERNAL_URLS})
    with httpx.Client(base_url=served(framework, app, serve, serve_asgi),
                      trust_env=False) as client:
        for url in INTERNAL_URLS:
            answer = client.get("/api/preview", params={"url": url})
            assert (answer.status_code, answer.json()) == (
                400, {"error": "this URL is not allowed"}), url


@FRAMEWORKS
def test_webhook_deliveries_are_signed_as_documented_and_never_sent_inside(
        framework, serve, serve_asgi):
    names = namespace_of(example_of("signed-webhooks", framework))
    connections: list[bytes] = []
    receiver = RawServer(lambda conn: connections.append(b"connected"))
    inside = receiver.url.replace("http://127.0.0.1", "https://localhost") + "/hook"
    try:
        with httpx.Client(base_url=served(framework, names["app"], serve, serve_asgi),
                          trust_env=False) as client:
            cleartext = client.post("/api/webhooks", json={"callback_url": receiver.url})
            assert cleartext.status_code == 422
            registered = client.post("/api/webhooks", json={"callback_url": inside,
                                                            "events": ["order.paid"]})
            assert registered.status_code == 201
            spec = client.get("/openapi.json").json()
        hook = registered.json()
        assert len(hook["signing_secret"]) >= 32
        # localhost is this machine: the delivery is refused before any connection
        assert names["deliver"](hook["id"], "order.paid", {"order": 1}) is False
        assert connections == []
    finally:
        receiver.stop()
    # what a receiver computes from the spec's description of the headers
    body = b'{"type": "order.paid"}'
    headers = names["signature_headers"](hook["signing_secret"], body, timestamp=1700000000)
    mac = hmac.new(hook["signing_secret"].encode(), b"1700000000." + body, hashlib.sha256)
    assert headers == {"X-Webhook-Timestamp": "1700000000",
                       "X-Webhook-Signature": "sha256=" + mac.hexdigest()}
    callback = spec["paths"]["/api/webhooks"]["post"]["callbacks"]
    documented = {p["name"].lower() for event in callback.values() for item in event.values()
                  for p in item["post"]["parameters"] if p["in"] == "header"}
    assert documented == {name.lower() for name in headers}


@FRAMEWORKS
def test_a_partner_url_that_cannot_be_fetched_gets_one_generic_answer(
        framework, serve, serve_asgi):
    """A closed port, a URL httpx refuses to build: 502 without the fetcher's error, never
    a 500; another origin: 400 before any connection."""
    app = build(example_of("untrusted-content", framework))
    with socket.socket() as spare:  # a free port on loopback: nothing listens there
        spare.bind(("127.0.0.1", 0))
        origin = f"http://127.0.0.1:{spare.getsockname()[1]}"
    configure(app, "partner_origins", {origin})
    with httpx.Client(base_url=served(framework, app, serve, serve_asgi),
                      trust_env=False) as client:
        for url in (origin + "/listing", origin + "/a\x00b"):
            answer = client.get("/api/preview", params={"url": url})
            assert (answer.status_code, answer.json()) == (
                502, {"error": "the partner's answer could not be used"}), url
        other = client.get("/api/preview", params={"url": "http://127.0.0.1:1/listing"})
        assert (other.status_code, other.json()) == (400, {"error": "this URL is not allowed"})
