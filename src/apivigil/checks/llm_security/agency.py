"""Excessive agency: does text from the user make the model call tools?

Tool and function calls are the model acting with the API's authority: refunds, e-mails,
deletions. A tier prompt names tools and asks the model to call them (quick: 1, deep: 3); an
answer with `tool_calls`, `function_call`, Anthropic `tool_use` blocks or `tool_results`
proves the user's text triggered them (high). Nothing is asked that a tool would need real
data for; a well-built endpoint confirms such actions with the user or does not expose them.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, CheckMeta, ScanContext
from apivigil.checks.llm_security.common import probe_target
from apivigil.checks.llm_security.endpoints import ask, tool_calls
from apivigil.checks.llm_security.exposure import LLM_REFERENCES, LlmCheck
from apivigil.checks.llm_security.prompts import selected
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.remediation import examples

_FIX = Remediation(
    summary="Decide tool calls in code, not from user text: expose only the tools the user may "
    "use, check the user's permission inside each tool, and confirm side effects with the user "
    "before running them.",
    examples=examples("llm-endpoint"),
    references=LLM_REFERENCES,
)


class ExcessiveAgency(LlmCheck):
    meta = CheckMeta(
        id="llm_security.excessive-agency",
        title="Excessive agency (tool calls triggered by user text)",
        category=Category.LLM_SECURITY,
        cwe=(250, 862),
        owasp=(Owasp.API5, Owasp.API6),
        severity=Severity.HIGH,
        sends="text-only POSTs asking one detected LLM endpoint to call its tools (quick 1, "
        "deep 3)",
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        llm = probe_target(ctx, self.meta.id)
        if llm is None:
            return
        for prompt in selected(ctx, "agency"):
            answer = ask(ctx, llm, prompt.text)
            names = tool_calls(answer.data) if answer is not None else []
            if answer is None or not names:
                continue
            yield self.finding(
                "tool-calls-from-user-text", "User text makes the model call tools",
                severity=Severity.HIGH, exchange=answer.response.exchange,
                path=llm.endpoint.path, method="POST", parameter="prompt",
                description=(f"{llm.operation} called {', '.join(names)} because the user "
                             "asked it to: any caller (or any document the model reads) "
                             "acts with the API's authority."),
                remediation=_FIX,
                data={"tools": names, "prompt": prompt.id})
            return
