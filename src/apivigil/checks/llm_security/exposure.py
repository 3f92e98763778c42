"""LLM endpoint exposure: who may call it, and what its answers give away (passive).

Judged on the one benign prompt that confirms the endpoint (see `endpoints.py`):
- a completion given to an anonymous caller: anyone can spend the owner's tokens and reach
  whatever the model can (critical);
- the model and provider named in the answer (`model: gpt-4o-mini`, provider headers): an
  attacker picks the jailbreaks known to work on it (low);
- token usage and cost metadata in the answer (info);
- a benign answer that already carries system-prompt text (medium).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.llm_security.endpoints import (
    BENIGN_PROMPT,
    candidates,
    llm_endpoints,
    read_answer,
    tier_size,
)
from apivigil.checks.llm_security.prompts import leaked_markers
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.remediation import examples

MODEL_NAME = re.compile(r"gpt|claude|llama|mistral|mixtral|gemini|gemma|qwen|phi-?\d|"
                        r"command-r|davinci|deepseek|\bo[134]\b|falcon|vicuna", re.IGNORECASE)
PROVIDER_HEADERS = re.compile(r"^(openai-|anthropic-|x-ratelimit-(limit|remaining)-tokens)",
                              re.IGNORECASE)
COST_KEY = re.compile(r"cost|price|billing|usd", re.IGNORECASE)
LLM_REFERENCES = ("https://genai.owasp.org/llm-top-10/",)
_AUTH_FIX = Remediation(
    summary="Require authentication on every model route, and rate-limit and budget each "
    "caller.",
    examples=examples("llm-endpoint"),
    references=LLM_REFERENCES,
)


def off_or_absent(ctx: ScanContext) -> str | None:
    """The skip reason every LLM check shares."""
    if tier_size(ctx) == 0:
        return "--llm-probes off"
    if not candidates(ctx):
        return ("no LLM endpoint (an OpenAI- or Anthropic-style path, or a body with messages "
                "or prompt) among the target's operations")
    return None


class LlmCheck(Check):
    """A check of the LLM family: skipped when probes are off or no LLM endpoint exists."""

    def applies_to(self, ctx: ScanContext) -> str | None:
        return super().applies_to(ctx) or off_or_absent(ctx)


class EndpointExposure(LlmCheck):
    meta = CheckMeta(
        id="llm_security.endpoint-exposure",
        title="LLM endpoint exposure (no authentication, model, usage and prompt disclosure)",
        category=Category.LLM_SECURITY,
        cwe=(306, 200),
        owasp=(Owasp.API2, Owasp.API8),
        severity=Severity.CRITICAL,
        sends="one text-only POST with a benign prompt to each detected LLM endpoint (at most "
        "2; allowed without --allow-unsafe-methods), shared by the LLM checks",
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for llm in llm_endpoints(ctx):
            answer = read_answer(llm.first)
            if answer is None:
                continue  # it refused the anonymous caller: authentication is enforced
            yield self.finding(
                "unauthenticated-endpoint", "LLM endpoint answers without authentication",
                severity=Severity.CRITICAL, exchange=llm.first.exchange,
                path=llm.endpoint.path, method="POST",
                description=(f"{llm.operation} answered the prompt {BENIGN_PROMPT!r} with a "
                             "completion for a caller that sent no credentials: anyone can "
                             "spend the owner's tokens, probe the model for its instructions "
                             "and reach every tool and document it can."),
                remediation=_AUTH_FIX,
                data={"status": llm.first.status, "reply": answer.text[:200]})
            data = answer.data if isinstance(answer.data, dict) else {}
            model = str(data.get("model") or "")
            headers = sorted(n for n in llm.first.headers if PROVIDER_HEADERS.match(n))
            if MODEL_NAME.search(model) or headers:
                yield self.finding(
                    "model-disclosed", "The answer names the model and its provider",
                    severity=Severity.LOW, exchange=llm.first.exchange,
                path=llm.endpoint.path, method="POST",
                    description=(f"{llm.operation} tells every caller which model answers "
                                 f"({model or ', '.join(headers)}): attackers pick the "
                                 "jailbreaks and token tricks known to work on it."),
                    remediation=Remediation(
                        summary="Return a neutral model label (or none) and strip provider "
                        "headers before answering clients.", references=LLM_REFERENCES),
                    data={"model": model or None, "headers": headers})
            usage = data.get("usage")
            costs = sorted(k for k in (usage if isinstance(usage, dict) else {})
                           if COST_KEY.search(k)) + sorted(k for k in data if COST_KEY.search(k))
            if isinstance(usage, dict) or costs:
                yield self.finding(
                    "usage-metadata", "The answer carries token usage and cost metadata",
                    severity=Severity.INFO, exchange=llm.first.exchange,
                path=llm.endpoint.path, method="POST",
                    description=(f"{llm.operation} returns token counts"
                                 f"{' and cost (' + ', '.join(costs) + ')' if costs else ''}: "
                                 "useful to an attacker measuring how to run up the bill."),
                    remediation=Remediation(
                        summary="Keep usage and cost accounting server-side.",
                        references=LLM_REFERENCES),
                    data={"fields": sorted(usage) if isinstance(usage, dict) else costs})
            markers = leaked_markers(answer.text, "", BENIGN_PROMPT)
            if len(markers) >= 2:
                yield self.finding(
                    "system-prompt-in-answer", "An ordinary answer carries system-prompt text",
                    severity=Severity.MEDIUM, confidence=Confidence.MEDIUM,
                    exchange=llm.first.exchange,
                path=llm.endpoint.path, method="POST", cwe=(200,),
                    description=(f"{llm.operation} answered a benign prompt with text of its "
                                 f"instructions ({', '.join(repr(m) for m in markers[:3])})."),
                    remediation=Remediation(
                        summary="Keep secrets out of system prompts and filter answers that "
                        "repeat them.", references=LLM_REFERENCES),
                    data={"markers": markers[:5]})
