"""SQL injection by differential: a lone quote breaks the answer, its balanced twin does not.

Many APIs answer a database error with a bare 500 and no error text, so signatures alone miss
the classic `"... WHERE title = '%s'" % title`. This check compares answers instead:

* quote pair: the input's ordinary value with a lone quote appended (`admin'`) and with a
  balanced pair (`admin''`). Where the value reaches SQL as a string literal, the first is a
  syntax error (5xx, or database error text the ordinary answer lacks) while the second is a
  valid query for a different value (an ordinary 404 or 200). A server that treats the value
  as data answers both the same way. The broken answer is repeated once, so a 500 caused by
  something else at that moment (a concurrent reset) is not taken for an injection.
* boolean pair, when the ordinary answer is a success: `admin' AND '1'='1` must answer like the
  ordinary request and `admin' AND '1'='2` must not (for numbers: `7 AND 1=1` / `7 AND 1=2`).

Either pair is a finding (`input_validation.sql-injection-differential`, high); both make it
high confidence. Payloads only read: a quote, and a condition that is true or false. Inputs are
path and query parameters of GET operations, riskiest first (`checks.planner`), within
`sql_requests` requests (default: 48, or 1/20 of --max-requests when that is more).
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext, Setting
from apivigil.checks.common import mark_inconclusive
from apivigil.checks.data_exposure.signatures import find_signatures
from apivigil.checks.input_validation.inputs import Input, ProbeTarget, send, targets
from apivigil.core.errors import ProbeError
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
from apivigil.spec.values import as_text, parameter_value

# shared with input_validation.injection's sql-injection rule: the same fix
REMEDIATION = Remediation(
    summary="Pass every value as a bound parameter; never format SQL with request data. "
    "Names that cannot be bound (a sort column) come from an allow-list, and database "
    "errors reach the logs, not the client.",
    examples=examples("sql-parameters"),
    references=("https://cheatsheetseries.owasp.org/cheatsheets/"
                "SQL_Injection_Prevention_Cheat_Sheet.html",
                "https://cwe.mitre.org/data/definitions/89.html"),
)
PER_INPUT = 5  # two quotes, one repeat, a boolean pair (at most)


class SqlDifferential(Check):
    meta = CheckMeta(
        id="input_validation.sql-differential",
        title="SQL injection (differential: quote and boolean pairs)",
        category=Category.INPUT_VALIDATION,
        cwe=(89,),
        owasp=(Owasp.API8,),
        severity=Severity.HIGH,
        sends="GETs with read-only values in path and query parameters: the ordinary value "
        "with a lone quote and with two quotes, and a true/false condition (at most "
        "`sql_requests`)",
        settings=(Setting(
            "sql_requests", "int", 48,
            "most SQL differential probes to send (at least a twentieth of --max-requests)",
            minimum=5,
            maximum=1000,
        ),),
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        budget = max(int(ctx.options.setting("sql_requests", 48)),
                     ctx.options.max_requests // 20)
        probed = 0
        for target in targets(ctx):
            for item in target.inputs:
                if item.location not in ("path", "query"):
                    continue
                if budget < PER_INPUT:
                    return
                budget -= PER_INPUT
                probed += 1
                finding = self._probe(ctx, target, item)
                if finding is not None:
                    yield finding
        if not probed:  # nothing was sent: say so, never pass for a clean result
            mark_inconclusive(ctx, "input_validation.sql-differential: no GET operation with a "
                              "path or query parameter the scan could reach; not tested")

    def _probe(self, ctx: ScanContext, target: ProbeTarget, item: Input) -> Finding | None:
        value = current_value(target, item)
        baseline = target.baseline
        try:
            lone = send(ctx, target, item, value + "'")
            balanced = send(ctx, target, item, value + "''")
            quote_pair = (broken(lone, baseline) and not broken(balanced, baseline)
                          and broken(send(ctx, target, item, value + "'"), baseline))
            boolean_pair = False
            true_answer = false_answer = None
            if 200 <= baseline.status < 300:
                numeric = value.isdigit()
                true_value = f"{value} AND 1=1" if numeric else f"{value}' AND '1'='1"
                false_value = f"{value} AND 1=2" if numeric else f"{value}' AND '1'='2"
                true_answer = send(ctx, target, item, true_value)
                if same_answer(true_answer, baseline):
                    false_answer = send(ctx, target, item, false_value)
                    boolean_pair = not same_answer(false_answer, baseline) \
                        and false_answer.status < 500
        except ProbeError:
            return None
        if not (quote_pair or boolean_pair):
            return None
        proofs = []
        if quote_pair:
            proofs.append(f"{value + chr(39)!r} answered {lone.status} (broken) while "
                          f"{value + chr(39) * 2!r} answered {balanced.status}")
        if boolean_pair and true_answer is not None and false_answer is not None:
            proofs.append(f"a true condition answered like the ordinary request "
                          f"({true_answer.status}) and a false one did not "
                          f"({false_answer.status})")
        evidence = lone if quote_pair else false_answer
        assert evidence is not None
        path = target.endpoint.path
        return self.finding(
            "sql-injection-differential",
            "SQL injection: the input is spliced into a query",
            severity=Severity.HIGH,
            confidence=Confidence.HIGH if quote_pair and boolean_pair else Confidence.MEDIUM,
            description=(f"{target.endpoint.method} {path}, {item.label}: "
                         f"{'; and '.join(proofs)}. The value is written into SQL as text, so "
                         "a caller can change the query: read other rows, bypass checks, "
                         "and often more."),
            remediation=REMEDIATION,
            exchange=evidence.exchange,
            path=path,
            parameter=item.label,
            data={"ordinary_status": baseline.status, "lone_quote_status": lone.status,
                  "balanced_quotes_status": balanced.status, "quote_pair": quote_pair,
                  "boolean_pair": boolean_pair},
        )


def current_value(target: ProbeTarget, item: Input) -> str:
    """The value the ordinary request sends for this input."""
    from urllib.parse import parse_qsl, urlsplit

    if item.location == "query":
        for name, value in parse_qsl(urlsplit(target.endpoint.url).query,
                                     keep_blank_values=True):
            if name == item.name:
                return value
    operation = target.endpoint.operation
    if operation is not None:
        for param in operation.parameters:
            if param.name == item.name and param.location == item.location:
                return as_text(parameter_value(param))
    return "1"


def broken(response: ProbeResponse, baseline: ProbeResponse) -> bool:
    """A server error, or database error text the ordinary answer does not have."""
    if response.status >= 500 and baseline.status < 500:
        return True
    known = {m.label for m in find_signatures(baseline.text)}
    return any(m.kind == "sql-error" and m.label not in known
               for m in find_signatures(response.text))


def same_answer(response: ProbeResponse, baseline: ProbeResponse) -> bool:
    """Same status and the same body (or bodies of nearly the same length, for pages that
    embed a timestamp)."""
    if response.status != baseline.status:
        return False
    if response.body == baseline.body:
        return True
    longer = max(len(response.body), len(baseline.body), 1)
    return abs(len(response.body) - len(baseline.body)) / longer < 0.02
