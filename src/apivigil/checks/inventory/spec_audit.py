"""Spec audit: weaknesses the OpenAPI document itself declares, found without any traffic.

The spec is the API's contract, and some of its promises are weak by design. Each rule is one
finding per operation (or per scheme), proportionate to what it lets an attacker do:

* `inventory.credential-in-url` (medium): a password, token or API key travels in the query
  string or path (parameters named so, or an apiKey scheme `in: query`); URLs end up in logs,
  proxies, browser history and Referer headers (CWE-598).
* `inventory.operation-without-security` (medium): in an API where other operations require
  security, this one has none and does not say so; `security: []` (explicitly public) is info;
  operations public by nature (login, token, register, password reset, health, docs,
  catalogue) are never reported.
During a scan every rule is at most low: the spec alone proves nothing about the running API.
* `inventory.undefined-security-scheme` (medium): an operation requires a scheme that is not
  defined, so tools and gateways cannot enforce it; `inventory.unused-security-scheme` (info).
* `inventory.missing-auth-responses` (low): a secured operation declares neither 401 nor 403,
  so clients and tests never consider the refusal.
* `inventory.unbounded-string` (info): string inputs with no maxLength, pattern, enum or format:
  nothing limits what reaches the code (CWE-20, CWE-770).
* `inventory.open-request-body` (low): a JSON object body that allows additional properties,
  the surface of mass assignment (CWE-915).
* `inventory.sensitive-response-property` (medium for passwords, secrets, card and social
  security numbers; low for tokens and keys): the response schema itself documents returning
  them (CWE-213).

`apivigil audit SPEC` runs the same rules on a file, without a target.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.inventory.common import SPEC_REFERENCES, label, listed
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.remediation import examples
from apivigil.spec.model import ApiSpec, Operation
from apivigil.spec.schemas import (
    closed_to_additional,
    content_of,
    object_shape,
    sensitive_name,
    walk_properties,
)

_HIGHLY_SENSITIVE = ("password", "passwd", "secret", "ssn", "card", "cvv", "cvc", "private",
                     "social")
_BOUNDED_FORMATS = frozenset({"uuid", "date", "date-time", "time", "email", "ipv4", "ipv6",
                              "byte", "int32", "int64", "hostname", "uri", "binary"})

CREDENTIAL_IN_URL = Remediation(
    summary="Send secrets in headers (Authorization, or a custom header) or in the body, "
            "never in the URL; accept API keys in a header only.",
    examples=examples("api-key-header"),
    references=("https://cwe.mitre.org/data/definitions/598.html", *SPEC_REFERENCES),
)
SECURE_BY_DEFAULT = Remediation(
    summary="Declare security globally and mark the few public operations with `security: []` "
            "on purpose; make authentication the default in the app (deny unless proven).",
    examples=examples("secure-by-default"),
    references=SPEC_REFERENCES,
)
DEFINE_SCHEMES = Remediation(
    summary="Define every scheme an operation requires under components.securitySchemes (or "
            "securityDefinitions) and remove the ones no operation uses.",
    references=SPEC_REFERENCES,
)
DECLARE_REFUSALS = Remediation(
    summary="Declare 401 (no or bad credentials) and 403 (not allowed) on secured operations, "
            "and test that the running API returns them.",
    examples=examples("secure-by-default"),  # generated specs: where the 401 gets declared
    references=SPEC_REFERENCES,
)
BOUND_INPUTS = Remediation(
    summary="Give every string input a maxLength (and a pattern, enum or format where one "
            "fits), and validate requests against the spec.",
    examples=examples("strict-input-schema"),
    references=("https://cheatsheetseries.owasp.org/cheatsheets/Input_Validation_Cheat_Sheet.html",
                *SPEC_REFERENCES),
)
CLOSE_BODIES = Remediation(
    summary="Set `additionalProperties: false` on request bodies and bind only the fields a "
            "client may set (never the whole body onto a model).",
    examples=examples("strict-input-schema"),
    references=("https://owasp.org/API-Security/editions/2023/en/"
                "0xa3-broken-object-property-level-authorization/", *SPEC_REFERENCES),
)
NO_SECRETS_OUT = Remediation(
    summary="Remove secrets and sensitive personal data from response schemas and serialise "
            "responses through an explicit allow-list of fields.",
    examples=examples("generated-output-schema"),
    references=("https://owasp.org/API-Security/editions/2023/en/"
                "0xa3-broken-object-property-level-authorization/", *SPEC_REFERENCES),
)


class SpecAudit(Check):
    meta = CheckMeta(
        id="inventory.spec-audit",
        title="OpenAPI spec audit",
        category=Category.INVENTORY,
        cwe=(1059,),
        owasp=(Owasp.API9,),
        severity=Severity.MEDIUM,
        sends="nothing: reads the spec only",
        needs_spec=True,
        phase=PHASE_PROBES,
        offline=True,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        """During a scan every rule here is a spec-only observation: at most low. The checks
        that send traffic raise what the running API confirms, with the response as
        evidence, at the severity it deserves."""
        assert ctx.spec is not None
        for finding in self.audit(ctx.spec):
            if finding.severity.rank > Severity.LOW.rank:
                finding = finding.model_copy(update={
                    "severity": Severity.LOW,
                    "description": finding.description + " (Spec only: not confirmed by a "
                    "response, so at most low.)"})
            yield finding

    def audit(self, spec: ApiSpec) -> Iterator[Finding]:
        """Every rule, on the spec alone."""
        yield from self._schemes(spec)
        any_secured = any(op.secured for op in spec.operations)
        for op in spec.operations:
            yield from self._credentials_in_url(op)
            if any_secured:
                yield from self._without_security(op)
            yield from self._missing_refusals(op)
            yield from self._unbounded_strings(op)
            yield from self._open_body(op)
            yield from self._sensitive_responses(op)

    def _schemes(self, spec: ApiSpec) -> Iterator[Finding]:
        used = spec.used_scheme_names
        for name in sorted(used - set(spec.security_schemes)):
            users = [label(op) for op in spec.operations
                     if any(name in alt for alt in op.security)]
            yield self.finding(
                "undefined-security-scheme", f"Security scheme '{name}' is used but not defined",
                severity=Severity.MEDIUM,
                description=f"{len(users)} operation(s) require the scheme '{name}', which the "
                            "spec never defines: gateways, clients and tests cannot tell what "
                            "it is, and some treat the operation as unsecured.",
                remediation=DEFINE_SCHEMES, parameter=name, cwe=(1059, 306),
                data={"operations": listed(users)})
        for name in sorted(set(spec.security_schemes) - used):
            yield self.finding(
                "unused-security-scheme", f"Security scheme '{name}' is defined but never used",
                severity=Severity.INFO,
                description=f"The scheme {spec.security_schemes[name].label} is defined but no "
                            "operation requires it: either dead documentation or operations "
                            "that forgot to require it.",
                remediation=DEFINE_SCHEMES, parameter=name)
        for scheme in spec.security_schemes.values():
            if scheme.type == "apiKey" and scheme.location == "query" and scheme.name in used:
                yield self.finding(
                    "credential-in-url", f"API key scheme '{scheme.name}' is sent in the query",
                    severity=Severity.MEDIUM,
                    description=f"The scheme {scheme.label} puts the API key "
                                f"'{scheme.parameter_name}' in the URL, where it is written to "
                                "server and proxy logs, browser history and Referer headers.",
                    remediation=CREDENTIAL_IN_URL, parameter=scheme.name, cwe=(598,),
                    owasp=(Owasp.API2,))

    def _credentials_in_url(self, op: Operation) -> Iterator[Finding]:
        for param in op.parameters:
            if param.location in ("query", "path") and sensitive_name(param.name) and \
                    _stringish(param.schema):
                yield self.finding(
                    "credential-in-url",
                    f"Secret-looking {param.location} parameter '{param.name}' in {label(op)}",
                    severity=Severity.MEDIUM, confidence=Confidence.MEDIUM,
                    description=f"{label(op)} takes '{param.name}' in the {param.location}; a "
                                "password, token or key in a URL is written to logs, proxies, "
                                "browser history and Referer headers.",
                    remediation=CREDENTIAL_IN_URL, cwe=(598,), owasp=(Owasp.API2,),
                    parameter=param.name, method=op.method, path=op.path)

    def _without_security(self, op: Operation) -> Iterator[Finding]:
        if op.secured:
            return
        if op.explicitly_public:
            yield self.finding(
                "operation-without-security", f"{label(op)} is declared public",
                severity=Severity.INFO,
                description=f"{label(op)} is marked `security: []` in an API whose other "
                            "operations require authentication. That is a deliberate choice; "
                            "make sure it returns nothing private.",
                remediation=SECURE_BY_DEFAULT, cwe=(306,), owasp=(Owasp.API2, Owasp.API9),
                method=op.method, path=op.path)
            return
        if op.public_by_nature:  # login, register, health...: public on purpose, not forgotten
            return
        yield self.finding(
            "operation-without-security", f"{label(op)} has no security requirement",
            severity=Severity.MEDIUM,
            description=f"Other operations of this API require authentication, but "
                        f"{label(op)} has none and is not marked public (`security: []`): "
                        "likely forgotten, and anyone may call it if the code follows the spec.",
            remediation=SECURE_BY_DEFAULT, cwe=(306,), owasp=(Owasp.API2, Owasp.API9),
            method=op.method, path=op.path)

    def _missing_refusals(self, op: Operation) -> Iterator[Finding]:
        if not op.secured:
            return
        declared = {str(k).upper() for k in op.responses}
        if declared & {"401", "403", "4XX"}:
            return
        yield self.finding(
            "missing-auth-responses", f"Secured {label(op)} declares no 401 or 403",
            severity=Severity.LOW,
            description=f"{label(op)} requires authentication but its responses include "
                        "neither 401 nor 403, so the refusal is undocumented and untested.",
            remediation=DECLARE_REFUSALS, method=op.method, path=op.path)

    def _unbounded_strings(self, op: Operation) -> Iterator[Finding]:
        names = [f"{p.location}:{p.name}" for p in op.parameters if _unbounded(p.schema)]
        for media_type, media in content_of(op.request_body).items():
            schema = media.get("schema") if isinstance(media, dict) else None
            if "json" in media_type or "form" in media_type:
                names += [f"body:{path}" for path, prop in walk_properties(schema)
                          if _unbounded(prop)]
                break
        if not names:
            return
        yield self.finding(
            "unbounded-string", f"Unbounded string inputs in {label(op)}",
            severity=Severity.INFO, confidence=Confidence.MEDIUM,
            description=f"{len(names)} string input(s) of {label(op)} have no maxLength, "
                        "pattern, enum or format, so the spec puts no limit on what reaches "
                        "the code.",
            remediation=BOUND_INPUTS, cwe=(20, 770), owasp=(Owasp.API4,),
            data={"inputs": listed(names)}, method=op.method, path=op.path)

    def _open_body(self, op: Operation) -> Iterator[Finding]:
        if op.method not in ("POST", "PUT", "PATCH"):
            return
        for media_type, media in content_of(op.request_body).items():
            schema = media.get("schema") if isinstance(media, dict) else None
            if "json" not in media_type or not isinstance(schema, dict):
                continue
            properties, _ = object_shape(schema)
            if not properties or closed_to_additional(schema):
                continue
            yield self.finding(
                "open-request-body", f"Request body of {label(op)} allows extra properties",
                severity=Severity.LOW, confidence=Confidence.MEDIUM,
                description=f"The {media_type} body of {label(op)} declares "
                            f"{len(properties)} properties but does not forbid others "
                            "(additionalProperties: false), the surface of mass assignment: "
                            "a client may send fields such as 'role' or 'is_admin'.",
                remediation=CLOSE_BODIES, cwe=(915,), owasp=(Owasp.API3,),
                data={"declared": listed(sorted(properties))}, method=op.method, path=op.path)
            return

    def _sensitive_responses(self, op: Operation) -> Iterator[Finding]:
        names: list[str] = []
        for status, response in op.responses.items():
            if not str(status).startswith("2") or not isinstance(response, dict):
                continue
            for media in content_of(response).values():
                schema = media.get("schema") if isinstance(media, dict) else None
                names += [p for p, prop in walk_properties(schema)
                          if sensitive_name(p.rsplit(".", 1)[-1]) and _stringish(prop)
                          and p not in names]
        if not names:
            return
        severe = any(w in n.rsplit(".", 1)[-1].lower() for n in names for w in _HIGHLY_SENSITIVE)
        yield self.finding(
            "sensitive-response-property",
            f"Response of {label(op)} documents sensitive properties",
            severity=Severity.MEDIUM if severe else Severity.LOW, confidence=Confidence.MEDIUM,
            description=f"The success response of {label(op)} declares "
                        f"{', '.join(names[:5])}: secrets or sensitive personal data that a "
                        "response should rarely carry.",
            remediation=NO_SECRETS_OUT, cwe=(213, 200), owasp=(Owasp.API3,),
            data={"properties": listed(names)}, method=op.method, path=op.path)


def _stringish(schema: object) -> bool:
    """A string, or a schema too loose to say (secrets are strings, flags and counts are not)."""
    if not isinstance(schema, dict):
        return True
    kind = schema.get("type")
    return kind is None or kind == "string" or (isinstance(kind, list) and "string" in kind)


def _unbounded(schema: object) -> bool:
    if not isinstance(schema, dict) or schema.get("type") != "string":
        return False
    bounded = ("maxLength", "pattern", "enum", "const")
    return not any(k in schema for k in bounded) and schema.get("format") not in _BOUNDED_FORMATS
