"""Excessive data exposure: responses carry properties their spec schema does not declare.

A spec that documents `{id, name}` for a user while the service also returns `password_hash`
is the classic way data leaks: the extra property is invisible to reviewers who read the spec,
and every client receives it. Each exercised operation's 2xx JSON response (sent with the
user's credentials when the operation is secured and some were given) is compared with the
declared schema, nested objects and arrays included:

* `data_exposure.undeclared-sensitive-property` (high): an undeclared property named like a
  secret or sensitive personal data (password, hash of one, token, secret, api key, ssn, card).
* `data_exposure.undeclared-property` (low): other undeclared properties.

Schemas that allow more (no `properties`, `additionalProperties`, `patternProperties`, circular
or unreadable references) are never judged, so a loosely specified API raises no alarm.
Shares the requests of `inventory.spec-conformance` (one per operation).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.inventory.common import label, listed
from apivigil.checks.inventory.exercise import exercised
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.remediation import examples
from apivigil.spec.schemas import media_type, schema_for, sensitive_name, undeclared_properties

REMEDIATION = Remediation(
    summary="Serialise responses through an explicit allow-list (an output schema), never a "
            "whole model or row; remove secrets such as password hashes from the data layer's "
            "default projection; and keep the spec generated from that same schema.",
    examples=examples("generated-output-schema"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/"
        "0xa3-broken-object-property-level-authorization/",
        "https://cwe.mitre.org/data/definitions/213.html",
    ),
)


class UndeclaredProperties(Check):
    meta = CheckMeta(
        id="data_exposure.spec-undeclared-properties",
        title="Response properties the spec does not declare",
        category=Category.DATA_EXPOSURE,
        cwe=(213, 200),
        owasp=(Owasp.API3,),
        severity=Severity.HIGH,
        sends="nothing of its own: reads the responses inventory.spec-conformance gets (one "
        "request per operation, shared)",
        needs_spec=True,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for op, response in exercised(ctx):
            actual = media_type(response.headers.get("content-type"))
            if not 200 <= response.status < 300 or response.truncated or "json" not in actual:
                continue
            schema = schema_for(op.response_for(response.status), actual)
            if schema is None:
                continue
            try:
                value = json.loads(response.body)
            except ValueError:
                continue
            extra = undeclared_properties(value, schema)
            sensitive = [p for p in extra if sensitive_name(p.rsplit(".", 1)[-1].strip("[]"))]
            if sensitive:
                yield self.finding(
                    "undeclared-sensitive-property",
                    f"{label(op)} returns undeclared sensitive data: {', '.join(sensitive[:3])}",
                    severity=Severity.HIGH,
                    description=f"The {response.status} response of {label(op)} contains "
                                f"{', '.join(sensitive)}, which its schema does not declare and "
                                "whose name says it is a secret or sensitive personal data: "
                                "every caller receives it, and no reviewer of the spec sees it.",
                    remediation=REMEDIATION, exchange=response.exchange,
                    method=op.method, path=op.path, parameter=sensitive[0],
                    data={"properties": listed(sensitive)})
            others = [p for p in extra if p not in sensitive]
            if others:
                yield self.finding(
                    "undeclared-property",
                    f"{label(op)} returns properties its schema does not declare",
                    severity=Severity.LOW, confidence=Confidence.MEDIUM,
                    description=f"The {response.status} response of {label(op)} contains "
                                f"{', '.join(others[:5])}"
                                + (f" and {len(others) - 5} more" if len(others) > 5 else "")
                                + ", not declared in its schema: data the spec does not admit "
                                "to returning.",
                    remediation=REMEDIATION, exchange=response.exchange,
                    method=op.method, path=op.path, parameter=others[0],
                    data={"properties": listed(others)})
