"""What the active LLM checks share: which endpoint they probe and when they cannot."""

from __future__ import annotations

from apivigil.checks.base import ScanContext
from apivigil.checks.common import mark_inconclusive
from apivigil.checks.llm_security.endpoints import LlmEndpoint, llm_endpoints


def probe_target(ctx: ScanContext, check: str) -> LlmEndpoint | None:
    """The first confirmed LLM endpoint the scan may prompt, or None (inconclusive when it
    refuses anonymous callers and no credentials can be sent)."""
    for llm in llm_endpoints(ctx):
        if llm.authenticated and not ctx.auth_headers():
            mark_inconclusive(ctx, f"credentials needed: {llm.operation} refuses anonymous "
                              "prompts (give -u or --identity, over https)")
            continue
        return llm
    return None
