"""Content-type confusion: a JSON API that also accepts form or XML bodies.

A JSON endpoint that takes `application/x-www-form-urlencoded` can be called by a plain HTML
form on any web site without a CORS preflight (cross-site request forgery); one that takes XML
may hand the body to an XML parser (entity expansion, XXE). Rule: for up to 3 spec operations
with a JSON request body (POST/PUT/PATCH, never DELETE), the body is sent as declared, then the
same fields form-encoded, then as XML. If the JSON request succeeds and the form (medium) or
XML (low) one succeeds too, the API accepts the other type. When no operation accepts its own
JSON body, nothing could be compared: the check ends inconclusive. This sends state-changing
requests, so the check is intrusive: it runs only with --allow-unsafe-methods.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import is_success, mark_inconclusive
from apivigil.checks.target import Endpoint
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.remediation import examples
from apivigil.spec.values import as_text

REMEDIATION = Remediation(
    summary="Refuse request bodies whose Content-Type is not the one the operation declares "
    "(415), and never fall back to form data.",
    examples=examples("json-content-type"),
    references=("https://cwe.mitre.org/data/definitions/352.html",),
)


def _xml(fields: dict[str, Any]) -> str:
    inner = "".join(f"<{k}>{escape(as_text(v))}</{k}>" for k, v in fields.items()
                    if k.isidentifier())
    return f"<?xml version=\"1.0\"?><request>{inner}</request>"


class ContentTypeConfusion(Check):
    meta = CheckMeta(
        id="input_validation.content-type",
        title="JSON API accepts form or XML bodies",
        category=Category.INPUT_VALIDATION,
        cwe=(436, 352),
        owasp=(Owasp.API8,),
        severity=Severity.MEDIUM,
        sends="for up to 3 operations with a JSON body: the body as JSON, form-encoded and as "
        "XML (POST/PUT/PATCH: state-changing)",
        intrusive=True,
        needs_spec=True,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        endpoints = [e for e in ctx.target.concrete_endpoints()
                     if e.method in ("POST", "PUT", "PATCH") and e.body is not None
                     and "json" in (e.content_type or "")][:3]
        accepted: list[Endpoint] = []
        for endpoint in endpoints:
            yield from self._probe(ctx, endpoint, accepted)
        if endpoints and not accepted:  # nothing to compare with: never pass for clean
            mark_inconclusive(ctx, "input_validation.content-type: no operation accepted its "
                              "own JSON body (" + ", ".join(f"{e.method} {e.path}"
                                                             for e in endpoints)
                              + "), so other content types could not be compared; not tested")

    def _probe(self, ctx: ScanContext, endpoint: Endpoint,
               accepted: list[Endpoint]) -> Iterator[Finding]:
        """The body as declared, then form-encoded and as XML; `accepted` gets the endpoint
        when its ordinary JSON request succeeds."""
        try:
            fields = json.loads(endpoint.body or b"{}")
        except ValueError:
            return
        if not isinstance(fields, dict):
            return
        headers = {**dict(endpoint.headers), **ctx.auth_headers()}
        send_auth = ctx.has_credentials
        try:
            ordinary = ctx.http.request(endpoint.method, endpoint.url, content=endpoint.body,
                                        headers={**headers, "Content-Type": "application/json"},
                                        use_extra_headers=send_auth)
        except ProbeError:
            return
        if not is_success(ordinary):
            return
        accepted.append(endpoint)
        others = (
            ("application/x-www-form-urlencoded",
             urlencode([(k, as_text(v)) for k, v in fields.items()]), Severity.MEDIUM),
            ("application/xml", _xml(fields), Severity.LOW),
        )
        for content_type, body, severity in others:
            try:
                response = ctx.http.request(endpoint.method, endpoint.url, content=body,
                                            headers={**headers, "Content-Type": content_type},
                                            use_extra_headers=send_auth)
            except ProbeError:
                continue
            if is_success(response):
                yield self.finding(
                    "content-type-confusion",
                    f"JSON operation accepts {content_type} bodies",
                    severity=severity,
                    description=(f"{endpoint.method} {endpoint.path} declares a JSON body but "
                                 f"also answered {response.status} to the same fields sent as "
                                 f"{content_type}"
                                 + (": any web page can submit it with a plain HTML form, "
                                    "without a CORS preflight." if severity is Severity.MEDIUM
                                    else ": the body may reach an XML parser.")),
                    remediation=REMEDIATION,
                    exchange=response.exchange,
                    path=endpoint.path,
                    parameter=content_type,
                )
