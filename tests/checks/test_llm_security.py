"""llm_security.*: a chat-completion API with a deterministic "model", vulnerable and fixed."""

from __future__ import annotations

import pytest

from apivigil.core.config import Credentials
from tests.fixtures.apps.chat import CHAT_PASSWORD, CHAT_USER, SPEC_CHAT, chat_api
from tests.support import Recorder, above_low, outcome

LLM = {"checks": ("llm_security",)}
LLM_CHECKS = ("llm_security.endpoint-exposure", "llm_security.prompt-injection",
              "llm_security.output-handling", "llm_security.excessive-agency",
              "llm_security.unbounded-consumption")


def ids(report):
    return {f.id for f in report.findings}


def llm_requests(report):
    return sum(o.requests for o in report.checks if o.check.startswith("llm_security."))


def test_quick_tier_flags_the_naive_chat_api(serve, run_scan, tmp_spec):
    recorder = Recorder(chat_api(vulnerable=True))
    api = serve(recorder)
    report = run_scan(api.url, spec=tmp_spec(SPEC_CHAT), **LLM)
    assert ids(report) == {
        "llm_security.unauthenticated-endpoint",
        "llm_security.model-disclosed",
        "llm_security.usage-metadata",
        "llm_security.system-prompt-leak",
        "llm_security.instruction-override",
        "llm_security.indirect-injection",
        "llm_security.tool-calls-from-user-text",
        "llm_security.unbounded-output",
    }
    severity = {f.id: f.severity.value for f in report.findings}
    assert severity["llm_security.unauthenticated-endpoint"] == "critical"
    assert severity["llm_security.indirect-injection"] == "high"
    agency = next(f for f in report.findings if f.id == "llm_security.tool-calls-from-user-text")
    assert agency.evidence.data["tools"] == ["lookup_order", "refund_order", "send_email"]
    # quick: the benign prompt and 5 adversarial ones, all text-only POSTs, no unsafe methods
    assert llm_requests(report) <= 10
    posts = [r for r in recorder.requests if r["method"] == "POST"]
    assert len(posts) == 6
    assert all(r["path"] == "/v1/chat/completions" for r in posts)
    categories = {c.category.value: c for c in report.categories}
    assert categories["llm_security"].score is not None


def test_deep_tier_finds_every_kind_within_30_requests(serve, run_scan, tmp_spec):
    api = serve(chat_api(vulnerable=True))
    report = run_scan(api.url, spec=tmp_spec(SPEC_CHAT), llm_probes="deep", **LLM)
    assert {"llm_security.jailbreak", "llm_security.encoding-bypass",
            "llm_security.client-system-role", "llm_security.secrets-in-output",
            "llm_security.personal-data-in-output", "llm_security.unsanitized-output",
            "llm_security.no-rate-limit"} <= ids(report)
    assert llm_requests(report) <= 30


@pytest.mark.parametrize("tier", ["quick", "deep"])
def test_fixed_chat_api_is_silent(serve, run_scan, tmp_spec, tier):
    api = serve(chat_api(vulnerable=False), tls="modern")
    report = run_scan(api.url, spec=tmp_spec(SPEC_CHAT), llm_probes=tier,
                      credentials=Credentials(CHAT_USER, CHAT_PASSWORD), **LLM)
    assert above_low(report) == []
    assert report.findings == []
    for check in LLM_CHECKS:
        assert outcome(report, check) == "completed", check


def test_off_sends_no_prompt(serve, run_scan, tmp_spec):
    recorder = Recorder(chat_api(vulnerable=True))
    api = serve(recorder)
    report = run_scan(api.url, spec=tmp_spec(SPEC_CHAT), llm_probes="off", **LLM)
    assert report.findings == []
    assert {o.status.value for o in report.checks} == {"skipped"}
    assert not [r for r in recorder.requests if r["method"] == "POST"]
    categories = {c.category.value: c for c in report.categories}
    assert categories["llm_security"].score is None  # not tested, never clean


def test_an_api_without_llm_endpoints_is_skipped_not_clean(serve, run_scan):
    api = serve(chat_api(vulnerable=True))
    report = run_scan(api.url + "/v1/health", **LLM)
    assert {o.status.value for o in report.checks} == {"skipped"}


def test_a_model_url_without_a_spec_is_detected(serve, run_scan):
    api = serve(chat_api(vulnerable=True))
    report = run_scan(api.url + "/v1/chat/completions", settings={"discover_spec": "false"},
                      **LLM)
    assert "llm_security.unauthenticated-endpoint" in ids(report)
    assert "llm_security.instruction-override" in ids(report)


def test_a_streaming_endpoint_is_read_from_its_events(serve, run_scan, tmp_spec):
    api = serve(chat_api(vulnerable=True, streaming=True))
    report = run_scan(api.url, spec=tmp_spec(SPEC_CHAT), **LLM)
    assert {"llm_security.unauthenticated-endpoint", "llm_security.instruction-override",
            "llm_security.system-prompt-leak", "llm_security.unbounded-output"} <= ids(report)
    override = next(f for f in report.findings if f.id == "llm_security.instruction-override")
    assert str(override.evidence.data["reply"]).startswith("APIVIGIL-")


def test_an_ordinary_post_is_never_prompted(serve, run_scan, tmp_spec):
    from flask import Flask, jsonify

    app = Flask("invoices")
    app.add_url_rule("/api/invoices/generate", "generate", lambda: (jsonify(id=1), 201),
                     methods=["POST"])
    app.add_url_rule("/api/messages", "messages", lambda: (jsonify(sent=True), 201),
                     methods=["POST"])
    recorder = Recorder(app)
    api = serve(recorder)
    body = {"content": {"application/json": {"schema": {"type": "object", "properties": {
        "to": {"type": "string"}, "messages": {"type": "array", "items": {
            "type": "object", "properties": {"text": {"type": "string"}}}}}}}}}
    spec = {"openapi": "3.0.3", "info": {"title": "i", "version": "1"}, "paths": {
        "/api/invoices/generate": {"post": {"requestBody": body,
                                            "responses": {"201": {"description": "ok"}}}},
        "/api/messages": {"post": {"requestBody": body,
                                   "responses": {"201": {"description": "ok"}}}}}}
    report = run_scan(api.url, spec=tmp_spec(spec), **LLM)
    assert {o.status.value for o in report.checks} == {"skipped"}
    assert not [r for r in recorder.requests if r["method"] == "POST"]


def test_a_protected_endpoint_without_credentials_is_inconclusive_not_clean(serve, run_scan,
                                                                            tmp_spec):
    api = serve(chat_api(vulnerable=False), tls="modern")
    report = run_scan(api.url, spec=tmp_spec(SPEC_CHAT), **LLM)
    assert report.findings == []
    assert outcome(report, "llm_security.endpoint-exposure") == "completed"  # auth enforced
    for check in LLM_CHECKS[1:]:
        assert outcome(report, check) == "inconclusive", check
