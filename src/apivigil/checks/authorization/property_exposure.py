"""Property-level exposure: do responses carry properties the caller should not see?

An endpoint may rightly show a user's public profile to others and still leak the private
fields of the same record (OWASP API3:2023, CWE-213): the password hash, tokens, the email.
Each concrete GET endpoint (at most 8) is read as each identity (up to 3), and each JSON object
in the response is judged:

- `property_authorization.other-user-private-property`: the object belongs to, or describes,
  another user (an owner-like field — `owner`, `username`, `user`, ... — names another
  identity's user name, or a name other than the caller's) and carries a non-empty private
  property. Secrets (password, hash, token, secret, API key, private key, SSN, card number, CVV,
  PIN) are high (high confidence when the name is another identity's, medium otherwise);
  personal data only (email, phone, address, salary, birth date, IBAN) is low, since showing
  a colleague's email can be by design.
- `property_authorization.write-only-property-exposed`: the spec marks a response property
  `writeOnly` (a password on input) and the response carries it: high.
- `property_authorization.undeclared-secret-property`: the spec's response schema lists its
  properties (no `additionalProperties`), and the response object (or each item of an array)
  carries a secret-looking property it does not list: medium. Other undeclared properties are
  left to the inventory checks.

An identity's own record may hold its own email; only other users' objects are judged, only
for identities without an admin role (admins may see more by design), and masked values
(`****`) are ignored. Property values are masked in the evidence, so a report
never repeats a hash or a token. The check sends only GETs, shared with the BOLA check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from apivigil.checks.authorization.objects import (
    admin_roles,
    collections,
    fetch,
    json_body,
    owner_names,
    response_schema,
    walk_objects,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.config import Identity
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.http.client import Exchange, ProbeResponse
from apivigil.remediation import examples

# Matched against the lower-case name without separators. A bare `*_hash` (avatar_hash,
# content_hash) is not a secret; `hash`, `pwdhash` and anything with "password" are.
_SECRET = re.compile(r"password|passwd|pwdhash|passhash|^hash$|secret|token|apikey|privatekey|"
                     r"^ssn$|socialsecurity|creditcard|cardnumber|^cvv$|^pin$")
_PERSONAL = re.compile(r"email|phone|address|salary|birth|^dob$|iban|bankaccount")
_MASKED = re.compile(r"^[\s*x•#.-]*$|redacted|masked", re.IGNORECASE)

REMEDIATION = Remediation(
    summary=(
        "Serialise responses through an explicit output schema per audience: the owner (or an "
        "admin) gets the private fields, everyone else a public view. Never return password "
        "hashes or tokens at all."
    ),
    examples=examples("output-schemas"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
        "https://cwe.mitre.org/data/definitions/213.html",
    ),
)


def private_kind(name: str) -> str | None:
    """'secret', 'personal' or None for a property name."""
    key = re.sub(r"[^a-z]", "", name.lower())
    if _SECRET.search(key):
        return "secret"
    if _PERSONAL.search(key):
        return "personal"
    return None


def _has_value(value: Any) -> bool:
    if value is None or value is False or value == "" or value == [] or value == {}:
        return False
    return not (isinstance(value, str) and _MASKED.search(value))


class PropertyExposure(Check):
    meta = CheckMeta(
        id="property_authorization.exposure",
        title="Private properties exposed to other users",
        category=Category.PROPERTY_AUTHORIZATION,
        cwe=(213, 200),
        owasp=(Owasp.API3,),
        severity=Severity.HIGH,
        sends="GET of up to 8 endpoints as each identity (up to 3), shared with the BOLA check",
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if not ctx.identities:
            return ctx.credentials_withheld_reason or (
                "needs an identity (-u USER:PASSWORD or --identity NAME=USER:PASSWORD)")
        return None

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        admins = admin_roles(ctx)
        callers = [i for i in ctx.identities if not (i.role and i.role.lower() in admins)]
        for endpoint in collections(ctx, limit=8):
            write_only = self._write_only(ctx, endpoint)
            declared = self._declared(ctx, endpoint)
            for identity in callers[:3]:
                response = fetch(ctx, identity, endpoint.url)
                body = json_body(response)
                if response is None or body is None:
                    continue
                yield from self._judge(ctx, endpoint, identity, response, body, write_only)
                if declared is not None:
                    yield from self._undeclared(endpoint, identity, response, body, declared)

    @staticmethod
    def _declared(ctx: ScanContext, endpoint: Endpoint) -> set[str] | None:
        """The response schema's property names, when it lists them and allows no others."""
        if endpoint.operation is None:
            return None
        schema = response_schema(ctx, endpoint.operation)
        properties = schema.get("properties")
        if not isinstance(properties, dict) or not properties:
            return None
        if schema.get("additionalProperties") not in (None, False):
            return None
        return set(properties)

    def _undeclared(
        self, endpoint: Endpoint, identity: Identity, response: ProbeResponse, body: Any,
        declared: set[str],
    ) -> Iterator[Finding]:
        objects = [body] if isinstance(body, dict) else [o for o in body if isinstance(o, dict)]
        extra: dict[str, list[Any]] = {}
        for obj in objects[:200]:
            for key, value in obj.items():
                if key not in declared and private_kind(key) == "secret" and _has_value(value):
                    extra.setdefault(key, []).append(value)
        if not extra:
            return
        names = sorted(extra)
        yield self.finding(
            "undeclared-secret-property",
            "Response carries a secret property its schema does not declare",
            severity=Severity.MEDIUM,
            confidence=Confidence.MEDIUM,
            description=(
                f"The spec's response schema of GET {endpoint.path} lists its properties, "
                f"but the response to identity '{identity.name}' also carries "
                f"{', '.join(names)}: the view serialises more than the contract promises, "
                "and what it adds is secret."
            ),
            remediation=REMEDIATION,
            exchange=_masked(response.exchange, extra),
            path=endpoint.path,
            parameter=",".join(names),
            data={"caller_identity": identity.name, "properties": names},
        )

    @staticmethod
    def _write_only(ctx: ScanContext, endpoint: Endpoint) -> set[str]:
        if endpoint.operation is None:
            return set()
        properties = response_schema(ctx, endpoint.operation).get("properties") or {}
        return {name for name, prop in properties.items()
                if isinstance(prop, dict) and prop.get("writeOnly") is True}

    def _judge(
        self,
        ctx: ScanContext,
        endpoint: Endpoint,
        identity: Identity,
        response: ProbeResponse,
        body: Any,
        write_only: set[str],
    ) -> Iterator[Finding]:
        others = {i.username for i in ctx.identities if i is not identity and i.username}
        leaked: dict[str, list[Any]] = {}
        exposed: dict[str, list[Any]] = {}
        known_other = False
        for obj in walk_objects(body):
            for key, value in obj.items():
                if key in write_only and _has_value(value):
                    exposed.setdefault(key, []).append(value)
            names = owner_names(obj)
            if not names or (identity.username in names):
                continue
            if not (names & others or identity.username):
                continue  # cannot tell whose it is
            for key, value in obj.items():
                if private_kind(key) and _has_value(value):
                    leaked.setdefault(key, []).append(value)
                    known_other = known_other or bool(names & others)
        if exposed:
            yield self._exposed(endpoint, identity, response, exposed)
        if leaked:
            yield self._leaked(endpoint, identity, response, leaked, known_other)

    def _leaked(
        self,
        endpoint: Endpoint,
        identity: Identity,
        response: ProbeResponse,
        leaked: dict[str, list[Any]],
        known_other: bool,
    ) -> Finding:
        secrets = sorted(k for k in leaked if private_kind(k) == "secret")
        names = sorted(leaked)
        if secrets:
            severity = Severity.HIGH
            confidence = Confidence.HIGH if known_other else Confidence.MEDIUM
        else:
            severity, confidence = Severity.LOW, Confidence.LOW
        return self.finding(
            "other-user-private-property",
            "Other users' private properties in a response",
            severity=severity,
            confidence=confidence,
            description=(
                f"GET {endpoint.path} as identity '{identity.name}' returned objects that "
                f"belong to other users with their private properties {', '.join(names)}: "
                "the response is not filtered by who is asking."
            ),
            remediation=REMEDIATION,
            exchange=_masked(response.exchange, leaked),
            path=endpoint.path,
            parameter=",".join(names),
            data={"caller_identity": identity.name, "properties": names},
        )

    def _exposed(
        self, endpoint: Endpoint, identity: Identity, response: ProbeResponse,
        exposed: dict[str, list[Any]],
    ) -> Finding:
        names = sorted(exposed)
        return self.finding(
            "write-only-property-exposed",
            "Write-only property returned in a response",
            severity=Severity.HIGH,
            description=(
                f"The spec marks {', '.join(names)} of GET {endpoint.path} writeOnly (accepted "
                f"on input, never returned), yet the response to identity '{identity.name}' "
                "carries it."
            ),
            remediation=REMEDIATION,
            exchange=_masked(response.exchange, exposed),
            path=endpoint.path,
            parameter=",".join(names),
            data={"caller_identity": identity.name, "properties": names},
        )


def _masked(exchange: Exchange, values: dict[str, list[Any]]) -> Exchange:
    """The exchange with the exposed values masked: evidence shows where, not what."""
    text = exchange.response_excerpt
    for value in sorted((str(v) for vs in values.values() for v in vs), key=len, reverse=True):
        if len(value) >= 3:
            text = text.replace(value, value[:2] + "…[masked]")
    return replace(exchange, response_excerpt=text)
