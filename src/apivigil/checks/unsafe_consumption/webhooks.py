"""Webhook and callback registrations without a signing secret (passive, from the spec).

An operation registers a webhook when the spec gives it OpenAPI `callbacks`, or when its JSON
body takes a URL under a webhook-like name (webhook, callback_url, notify_url, hook...) or on a
webhook-like path (/webhooks, /callbacks, /subscriptions). Deliveries to that URL can only be
verified by the receiver if the registration carries a secret the API signs them with (a body
field such as `secret`, `signing_secret`, `hmac_key`) or the callback declares a signature
header. Without either, anyone who learns the URL can forge deliveries, and the receiver
consumes them unverified. Spec only: no traffic; confidence low (a secret may be set
elsewhere, e.g. per account).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.ssrf.urlinputs import takes_url
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.remediation import examples
from apivigil.spec.model import JsonObject, Operation

HOOK_NAME = re.compile(r"webhook|callback|notify|notification_url|hook", re.IGNORECASE)
HOOK_PATH = re.compile(r"webhook|callback|subscription", re.IGNORECASE)
SECRET_NAME = re.compile(r"secret|signing|signature|hmac|shared_key|verification_token",
                         re.IGNORECASE)

_FIX = Remediation(
    summary="Take (or issue) a per-registration secret and sign every delivery with it "
    "(HMAC-SHA256 of the body and a timestamp in a header such as X-Signature); document the "
    "header in the spec's callbacks.",
    examples=examples("signed-webhooks"),
    references=("https://owasp.org/API-Security/editions/2023/en/"
                "0xaa-unsafe-consumption-of-apis/",
                "https://docs.github.com/en/webhooks/using-webhooks/"
                "validating-webhook-deliveries"),
)


class WebhookSigning(Check):
    meta = CheckMeta(
        id="unsafe_consumption.webhook-signing",
        title="Webhook registrations without a signing secret",
        category=Category.UNSAFE_CONSUMPTION,
        cwe=(345,),
        owasp=(Owasp.API10,),
        severity=Severity.MEDIUM,
        sends="nothing: reads the spec's webhook and callback registrations",
        offline=True,  # judges the spec alone
        needs_spec=True,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        assert ctx.spec is not None
        for operation in ctx.spec.operations:
            if operation.method not in ("POST", "PUT", "PATCH"):
                continue
            properties = _body_properties(operation)
            callbacks = _raw_callbacks(ctx.spec.raw, operation)
            hook_fields = [name for name, schema in properties.items()
                           if takes_url(name, schema) and (HOOK_NAME.search(name)
                                                            or HOOK_PATH.search(operation.path))]
            if not hook_fields and not callbacks:
                continue
            if any(SECRET_NAME.search(name) for name in properties) \
                    or _signature_header(callbacks):
                continue
            field = hook_fields[0] if hook_fields else None
            yield self.finding(
                "webhook-unsigned",
                "Webhook registration without a signing secret",
                severity=Severity.MEDIUM,
                confidence=Confidence.LOW,
                description=(f"{operation.key} registers a callback URL"
                             f"{f' ({field})' if field else ' (OpenAPI callbacks)'} but takes no "
                             "secret to sign deliveries with and declares no signature header: "
                             "receivers cannot tell the API's deliveries from forged ones."),
                remediation=_FIX,
                method=operation.method,
                path=operation.path,
                parameter=f"body {field}" if field else None,
                summary=f"{operation.key}: callback URL field {field or '(callbacks)'}, no "
                        "secret or signature field",
                data={"fields": sorted(properties)},
            )


def _body_properties(operation: Operation) -> dict[str, JsonObject]:
    body = operation.request_body
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
        return {}
    for media_type, media in body["content"].items():
        if "json" in media_type.lower() and isinstance(media, dict):
            schema = media.get("schema")
            if isinstance(schema, dict):
                return _properties(schema)
    return {}


def _properties(schema: JsonObject) -> dict[str, JsonObject]:
    found = {k: v for k, v in (schema.get("properties") or {}).items() if isinstance(v, dict)}
    for part in schema.get("allOf") or []:
        if isinstance(part, dict):
            found.update(_properties(part))
    return found


def _raw_callbacks(raw: JsonObject, operation: Operation) -> JsonObject:
    path_item = (raw.get("paths") or {}).get(operation.path) or {}
    node = path_item.get(operation.method.lower()) if isinstance(path_item, dict) else None
    callbacks = node.get("callbacks") if isinstance(node, dict) else None
    return callbacks if isinstance(callbacks, dict) else {}


def _signature_header(callbacks: Any) -> bool:
    """Whether any callback operation declares a signature-like header parameter."""
    text = repr(callbacks).lower()
    return bool(re.search(r"'in': 'header'", text)) and bool(SECRET_NAME.search(text))
