"""Malformed input: wrong types, boundary and oversized values, unexpected characters.

An API must answer input it cannot use with a 4xx. A 5xx means the input reached code that did
not expect it (an unguarded `int()`, a hash function with a length limit, a query builder), and
a traceback in that answer tells the attacker where. Rule: for each input of up to 5 endpoints
(declared parameters, visible query parameters, the Basic credential of endpoints that challenge
for one), up to 4 malformed values chosen from its schema; at most `fuzz_requests` (default 30)
requests. A 5xx where the ordinary request succeeds is a finding (medium with an error
signature in the body, low without); a 2xx for a value the spec forbids is low.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext, Setting
from apivigil.checks.data_exposure.common import oversized_credential
from apivigil.checks.data_exposure.signatures import find_signatures
from apivigil.checks.input_validation.inputs import (
    Input,
    ProbeTarget,
    numeric,
    schema_forbids,
    send,
    targets,
)
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

OVERSIZED = "A" * 4096
ODD_CHARACTERS = "'\"<>%{}[]\\;|\u202e\u00e9\U0001d54f\x00"
HEADER_ODD_CHARACTERS = "'\"<>%{}[]\\;|"  # no control or non-ASCII characters in headers

REMEDIATION = Remediation(
    summary="Validate every parameter against its declared type, bounds and length before "
    "using it, answer 400 with a short message otherwise, and keep a generic error handler "
    "for anything that still slips through.",
    examples=examples("validated-input"),
    references=(
        "https://cheatsheetseries.owasp.org/cheatsheets/Input_Validation_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/20.html",
    ),
)


@dataclass(frozen=True)
class Probe:
    value: str
    why: str  # wrong type, oversized, boundary, unexpected characters


def probes_for(item: Input) -> list[Probe]:
    """Up to four malformed values suited to the input's declared (or apparent) type."""
    schema = item.schema
    if item.location == "credential":
        if item.name == "password":
            return [Probe("x" * 200, "oversized (200-byte password)")]
        return [Probe("'\"<>%{}\u00e9\U0001d54f", "unexpected characters")]
    odd = HEADER_ODD_CHARACTERS if item.location == "header" else ODD_CHARACTERS
    if numeric(schema):
        probes = [Probe("apivigil", "wrong type (text for a number)"),
                  Probe("99999999999999999999999999", "oversized number")]
        if isinstance(schema.get("minimum"), int | float):
            probes.append(Probe(str(schema["minimum"] - 1), "below the declared minimum"))
        else:
            probes.append(Probe("-1", "negative number"))
        if schema.get("type") == "integer":
            probes.append(Probe("1.5", "wrong type (fraction for an integer)"))
        return probes
    if schema.get("type") == "boolean":
        return [Probe("maybe", "wrong type (not a boolean)"), Probe(odd, "unexpected characters")]
    probes = [Probe(OVERSIZED, "oversized (4096 characters)"), Probe(odd, "unexpected characters")]
    if isinstance(schema.get("enum"), list):
        probes.append(Probe("apivigil-not-in-enum", "value outside the declared enum"))
    if schema.get("type") == "array":
        probes.append(Probe("[]{}", "wrong type (not a list)"))
    return probes


class MalformedInput(Check):
    meta = CheckMeta(
        id="input_validation.malformed-input",
        title="Malformed input causes server errors or is accepted",
        category=Category.INPUT_VALIDATION,
        cwe=(20, 248, 209),
        owasp=(Owasp.API8,),
        severity=Severity.MEDIUM,
        sends="GETs of the operations with inputs, riskiest first, one input at a time set to "
        "a wrong-typed, oversized, out-of-bounds or odd-character value (at most "
        "`fuzz_requests`, default 30 or 1/30 of --max-requests when that is more)",
        phase=PHASE_PROBES,
        settings=(Setting(
            "fuzz_requests", "int", 30,
            "most malformed-input probes to send",
            minimum=1,
            maximum=500,
        ),),
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        """Breadth first: the first probe of every input (riskiest operations first), then
        the second of every input not yet reported, and so on, until the budget is spent."""
        budget = int(ctx.options.setting("fuzz_requests",
                                         max(30, ctx.options.max_requests // 30)))
        pending = [(target, item, list(probes_for(item)))
                   for target in targets(ctx) for item in target.inputs]
        reported: set[int] = set()
        for round_ in range(max((len(p) for _, _, p in pending), default=0)):
            for index, (target, item, probes) in enumerate(pending):
                if index in reported or round_ >= len(probes):
                    continue
                if budget <= 0:
                    return
                budget -= 1
                try:
                    response = self._send(ctx, target, item, probes[round_])
                except BudgetExhaustedError:
                    raise
                except ProbeError:
                    continue
                finding = self._judge(target, item, probes[round_], response)
                if finding is not None:
                    reported.add(index)
                    yield finding

    def _send(self, ctx: ScanContext, target: ProbeTarget, item: Input,
              probe: Probe) -> ProbeResponse:
        if item.location == "credential" and item.name == "password":
            return oversized_credential(ctx, target.endpoint)  # shared with error disclosure
        return send(ctx, target, item, probe.value)

    def _judge(self, target: ProbeTarget, item: Input, probe: Probe,
               response: ProbeResponse) -> Finding | None:
        path = target.endpoint.path
        if response.status >= 500:
            signatures = find_signatures(response.text)
            shown = f" and a {signatures[0].label}" if signatures else ""
            return self.finding(
                "unhandled-error",
                "Malformed input causes a server error" + (" with a traceback" if signatures
                                                           else ""),
                severity=Severity.MEDIUM if signatures else Severity.LOW,
                description=(f"{target.endpoint.method} {path} answers its ordinary request "
                             f"with {target.baseline.status}, but {response.status}{shown} when "
                             f"{item.label} is {probe.why}: the input reaches code that does not "
                             "expect it."),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=path,
                parameter=item.label,
                data={"value": probe.why, "status": response.status,
                      "baseline_status": target.baseline.status},
            )
        if item.declared and 200 <= response.status < 300 and \
                200 <= target.baseline.status < 300 and schema_forbids(item.schema, probe.value):
            return self.finding(
                "invalid-input-accepted",
                "Input the spec forbids is accepted",
                severity=Severity.LOW,
                confidence=Confidence.MEDIUM,
                description=(f"{target.endpoint.method} {path} accepted {item.label} set to a "
                             f"value its schema rules out ({probe.why}) with "
                             f"{response.status} instead of a 400."),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=path,
                parameter=item.label,
                data={"value": probe.why, "status": response.status},
            )
        return None
