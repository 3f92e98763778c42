"""Injection: SQL, NoSQL and template injection, found by error signatures and evaluation.

Payloads are read-only by construction: a lone quote, a Mongo comparison operator, an
arithmetic template expression. None can change or delete data even where it is injected.
Rule: a finding needs evidence that the payload was *interpreted*: a database or template
engine error text that the ordinary request does not produce and a harmless control value does
not produce either, or the product of `1337*7331` (9801647) computed by a template engine. A
bare 500 is never called an injection. Inputs (declared or visible string parameters, the
Basic user name of one endpoint) of the operations riskiest first (`checks.planner`), at most
`injection_requests` requests (default 30, or 1/30 of --max-requests when that is more).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext, Setting
from apivigil.checks.data_exposure.signatures import find_signatures
from apivigil.checks.input_validation.inputs import Input, ProbeTarget, numeric, send, targets
from apivigil.checks.input_validation.sql_differential import REMEDIATION as SQL_REMEDIATION
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

PRODUCT = str(1337 * 7331)
CONTROL = "apivigil7"


@dataclass(frozen=True)
class Payload:
    family: str  # sql, nosql, template
    value: str
    rename: str | None = None  # send as name[$ne] instead of name


PAYLOADS = (
    Payload("sql", "'"),
    Payload("sql", "\")"),
    Payload("nosql", '{"$gt": ""}'),
    Payload("nosql", "x", rename="[$ne]"),
    Payload("template", "{{1337*7331}}"),
    Payload("template", "${1337*7331}"),
)

_REMEDIATIONS = {
    "sql": SQL_REMEDIATION,
    "nosql": Remediation(
        summary="Accept only scalars where scalars are expected; never pass request data "
        "as a query document.",
        examples=examples("nosql-scalars"),
        references=("https://owasp.org/www-project-web-security-testing-guide/latest/"
                    "4-Web_Application_Security_Testing/07-Input_Validation_Testing/"
                    "05.6-Testing_for_NoSQL_Injection",),
    ),
    "template": Remediation(
        summary="Never render user input as a template; pass it as a variable to a fixed "
        "template, which escapes it.",
        examples=examples("template-variables"),
        references=("https://portswigger.net/web-security/server-side-template-injection",),
    ),
}
_SIGNATURE_KIND = {"sql": "sql-error", "nosql": "nosql-error", "template": "template-error"}


class Injection(Check):
    meta = CheckMeta(
        id="input_validation.injection",
        title="SQL, NoSQL or template injection",
        category=Category.INPUT_VALIDATION,
        cwe=(89, 943, 1336),
        owasp=(Owasp.API8,),
        severity=Severity.HIGH,
        sends="GETs with read-only payloads (a quote, a Mongo operator, 1337*7331 in template "
        "syntax) in string inputs, riskiest operations first, plus a harmless control value "
        "to confirm a signature (at most `injection_requests`, default 30)",
        phase=PHASE_PROBES,
        settings=(Setting(
            "injection_requests", "int", 30,
            "most injection probes to send",
            minimum=1,
            maximum=500,
        ),),
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        budget = int(ctx.options.setting("injection_requests",
                                         max(30, ctx.options.max_requests // 30)))
        inputs = [(t, i) for t in targets(ctx) for i in t.inputs
                  if not numeric(i.schema) and not (i.location == "credential"
                                                    and i.name == "password")]
        # One credential check is usually shared by every endpoint: probe its user name once.
        first = next((t for t, i in inputs if i.location == "credential"), None)
        inputs = [(t, i) for t, i in inputs if i.location != "credential" or t is first]
        for target, item in inputs[:max(4, budget // len(PAYLOADS))]:
            done: set[str] = set()
            for payload in PAYLOADS:
                if payload.family in done:
                    continue
                if payload.rename and item.location != "query":
                    continue
                if budget <= 0:
                    return
                budget -= 1
                try:
                    response = send(ctx, target, item, payload.value,
                                    name=item.name + payload.rename if payload.rename else None)
                except BudgetExhaustedError:
                    raise
                except ProbeError:
                    continue
                finding = self._judge(ctx, target, item, payload, response)
                if finding is not None:
                    budget -= 1  # the control request
                    done.add(payload.family)
                    yield finding

    def _judge(self, ctx: ScanContext, target: ProbeTarget, item: Input, payload: Payload,
               response: ProbeResponse) -> Finding | None:
        path = target.endpoint.path
        if payload.family == "template" and PRODUCT in response.text \
                and PRODUCT not in target.baseline.text:
            return self._finding(target, item, payload, response, "template-injection",
                                 "Template expression evaluated (server-side template "
                                 "injection)", Severity.HIGH, Confidence.HIGH,
                                 f"the engine computed {payload.value} = {PRODUCT}")
        kind = _SIGNATURE_KIND[payload.family]
        new = [m for m in find_signatures(response.text) if m.kind == kind
               and m.label not in {b.label for b in find_signatures(target.baseline.text)}]
        if not new:
            return None
        try:
            control = send(ctx, target, item, CONTROL)
        except ProbeError:
            return None
        if any(m.kind == kind for m in find_signatures(control.text)):
            return None  # the error is not caused by the payload
        rule = {"sql": "sql-injection", "nosql": "nosql-injection",
                "template": "template-error"}[payload.family]
        title = {"sql": "Database error on a quote (likely SQL injection)",
                 "nosql": "Database error on a query operator (likely NoSQL injection)",
                 "template": "Template engine error on template syntax"}[payload.family]
        severity = Severity.MEDIUM if payload.family == "template" else Severity.HIGH
        return self._finding(target, item, payload, response, rule, title, severity,
                             Confidence.MEDIUM,
                             f"the answer holds a {new[0].label} (“{new[0].excerpt[:80]}”) "
                             f"that neither the ordinary request nor the control value "
                             f"{CONTROL!r} produce", path)

    def _finding(self, target: ProbeTarget, item: Input, payload: Payload, response: ProbeResponse,
                 rule: str, title: str, severity: Severity, confidence: Confidence,
                 why: str, path: str | None = None) -> Finding:
        path = path or target.endpoint.path
        sent = item.name + payload.rename if payload.rename else item.label
        return self.finding(
            rule,
            title,
            severity=severity,
            confidence=confidence,
            description=(f"{target.endpoint.method} {path} with {sent} = {payload.value!r}: "
                         f"{why}. The input is interpreted by a {payload.family.upper()} "
                         "engine instead of being treated as data."),
            remediation=_REMEDIATIONS[payload.family],
            exchange=response.exchange,
            path=path,
            parameter=item.label,
            cwe={"sql": (89,), "nosql": (943,), "template": (1336, 94)}[payload.family],
            data={"payload": payload.value, "status": response.status},
        )
