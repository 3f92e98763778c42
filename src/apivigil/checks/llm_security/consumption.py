"""Unbounded consumption: can one caller make the model produce (and bill) without limit?

Tier prompts ask for very long outputs with `max_tokens: 100000` in the request (quick 1,
deep 2): a reply of more than 1500 words, or a reported completion of more than 2000 tokens,
shows the endpoint accepts the caller's bound instead of its own (medium). The deep tier then
sends 6 short prompts back to back: when every one is answered and none is refused with 429,
nothing limits the rate on the route (low, confidence low: a limit may sit above the scan's
few requests). Runs last (phase 20), as it may provoke throttling.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import PHASE_THROTTLING, CheckMeta, ScanContext
from apivigil.checks.llm_security.common import probe_target
from apivigil.checks.llm_security.endpoints import TIERS, LlmEndpoint, ask, tier_size
from apivigil.checks.llm_security.exposure import LLM_REFERENCES, LlmCheck
from apivigil.checks.llm_security.prompts import DEEP_BURST, selected
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.remediation import examples

MAX_TOKENS_ASKED = 100_000
LONG_WORDS = 1500
LONG_TOKENS = 2000

_FIX = Remediation(
    summary="Bound every completion server-side (max_tokens you choose, whatever the client "
    "asks), budget tokens per user and per day, and rate-limit the model route.",
    examples=examples("llm-endpoint"),
    references=LLM_REFERENCES,
)


class UnboundedConsumption(LlmCheck):
    meta = CheckMeta(
        id="llm_security.unbounded-consumption",
        title="Unbounded model consumption (caller-chosen output length, no rate limit)",
        category=Category.LLM_SECURITY,
        cwe=(770, 400),
        owasp=(Owasp.API4,),
        severity=Severity.MEDIUM,
        sends="text-only POSTs asking one detected LLM endpoint for very long outputs with "
        "max_tokens 100000 (quick 1, deep 2); deep: 6 short prompts back to back",
        phase=PHASE_THROTTLING,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        llm = probe_target(ctx, self.meta.id)
        if llm is None:
            return
        for prompt in selected(ctx, "consumption"):
            extra = {"max_tokens": MAX_TOKENS_ASKED} if llm.shape in ("chat", "prompt") else {}
            answer = ask(ctx, llm, prompt.text, extra=extra)
            if answer is None:
                continue
            words = len(answer.text.split())
            usage = answer.data.get("usage") if isinstance(answer.data, dict) else None
            tokens = usage.get("completion_tokens") or usage.get("output_tokens") \
                if isinstance(usage, dict) else None
            tokens = tokens if isinstance(tokens, int) else None
            if words > LONG_WORDS or (tokens or 0) > LONG_TOKENS:
                yield self.finding(
                    "unbounded-output", "Output length is bounded only by the caller",
                    severity=Severity.MEDIUM, exchange=answer.response.exchange,
                    path=llm.endpoint.path, method="POST", parameter="max_tokens",
                    description=(f"{llm.operation} accepted max_tokens {MAX_TOKENS_ASKED} and "
                                 f"answered {prompt.id!r} with {words} words"
                                 f"{f' ({tokens} completion tokens)' if tokens else ''}: one "
                                 "caller can run up the bill and hold the model."),
                    remediation=_FIX, data={"words": words, "completion_tokens": tokens})
                break
        if tier_size(ctx) >= TIERS["deep"]:
            yield from self._burst(ctx, llm)

    def _burst(self, ctx: ScanContext, llm: LlmEndpoint) -> Iterator[Finding]:
        statuses = []
        last = None
        for _ in range(DEEP_BURST):
            try:
                answer = ask(ctx, llm, "Say OK.", accept_throttling=True)
            except BudgetExhaustedError:
                raise
            except ProbeError:
                return
            if answer is None:
                return  # refused (429 or otherwise): a limit, or no verdict
            statuses.append(answer.response.status)
            last = answer
        if last is not None and len(statuses) == DEEP_BURST:
            yield self.finding(
                "no-rate-limit", "No rate limit on the model route",
                severity=Severity.LOW, confidence=Confidence.LOW,
                exchange=last.response.exchange, path=llm.endpoint.path, method="POST",
                description=(f"{llm.operation} answered {DEEP_BURST} prompts sent back to back "
                             "(after the scan's other prompts) without a 429."),
                remediation=_FIX, data={"burst": DEEP_BURST})
