"""Sensitive data in responses: echoed credentials, password hashes, keys, tokens, card
numbers, national ids and bulk email addresses.

An API should return the fields its clients need and nothing else. Responses that echo the
caller's password or Authorization header put the credential into logs, caches and browser
history; user records dumped with their password hash hand an attacker offline cracking; keys
and tokens in a body are credentials for other systems.

Rule: every response inspected comes from the shared observation (`checks.observation`:
every GET operation, anonymously and as each identity), plus one request with a throwaway
Basic credential to an endpoint that challenges for one. Plaintext passwords (a field named
for the password holding neither a hash nor a mask), environment-style secrets (`DB_PASSWORD`,
`JWT_SECRET_KEY`, `API_TOKEN=...` lines, URLs with a password) and user records listed to an
anonymous caller are reported too; every such value is masked in the evidence and redacted
from every other finding of the scan.

Context keeps false alarms down: hash and key formats with fixed structure, bare MD5/SHA hex
only in a password-like field, JWTs only outside login/token responses (and always when
unsigned), card numbers only when Luhn-valid with an issuer prefix or a card-like field,
national ids only in a field named for them, emails only in bulk (`bulk_email_threshold`,
default 10 distinct addresses). Evidence shows where, value masked.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext, Setting
from apivigil.checks.common import DUMMY_USER, challenges
from apivigil.checks.data_exposure.common import (
    is_auth_path,
    masked_exchange,
    observed_responses,
)
from apivigil.checks.data_exposure.patterns import Match, scan
from apivigil.checks.observation import Observed
from apivigil.core.config import basic_header
from apivigil.core.errors import ProbeError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.remediation import examples

REMEDIATIONS = {
    "credentials-echoed": Remediation(
        summary="Never put the submitted password or Authorization header into a response; "
        "return the identity (user name, id) only.",
        examples=examples("no-credential-echo"),
        references=("https://cwe.mitre.org/data/definitions/200.html",),
    ),
    "password-hash": Remediation(
        summary="Remove password hashes from every response: serialise explicit fields only.",
        examples=examples("explicit-fields"),
        references=("https://owasp.org/API-Security/editions/2023/en/"
                    "0xa3-broken-object-property-level-authorization/",),
    ),
    "password-plaintext": Remediation(
        summary="Store passwords only as slow salted hashes (argon2, bcrypt) and never "
        "serialise the password field at all; rotate every exposed password.",
        examples=examples("user-listing"),
        references=("https://cwe.mitre.org/data/definitions/256.html",
                    "https://cheatsheetseries.owasp.org/cheatsheets/"
                    "Password_Storage_Cheat_Sheet.html"),
    ),
    "environment-secret": Remediation(
        summary="Remove the route that dumps configuration or the environment, rotate every "
        "secret it showed, and keep secrets in server-side configuration only.",
        examples=examples("public-config"),
        references=("https://cwe.mitre.org/data/definitions/215.html",
                    "https://cwe.mitre.org/data/definitions/798.html"),
    ),
    "users-listed": Remediation(
        summary="Require authentication (and an administrative role) for user listings, and "
        "return only the fields a caller needs.",
        examples=examples("user-listing"),
        references=("https://owasp.org/API-Security/editions/2023/en/"
                    "0xa1-broken-object-level-authorization/",
                    "https://cwe.mitre.org/data/definitions/359.html"),
    ),
    "secret-key": Remediation(
        summary="Remove keys and tokens from responses, revoke the exposed ones, and keep "
        "secrets in server-side configuration only.",
        examples=examples("explicit-fields"),
        references=("https://cwe.mitre.org/data/definitions/798.html",),
    ),
    "personal-data": Remediation(
        summary="Return personal data only to callers entitled to it, masked where the full "
        "value is not needed (last four digits of a card), and page bulk listings.",
        examples=examples("explicit-fields"),
        references=("https://owasp.org/API-Security/editions/2023/en/"
                    "0xa3-broken-object-property-level-authorization/",),
    ),
}

# kind -> (rule, title, severity, remediation key)
_RULES: dict[str, tuple[str, str, Severity, str]] = {
    "password-hash": ("password-hash", "Password hashes in a response", Severity.HIGH,
                      "password-hash"),
    "password-plaintext": ("password-plaintext", "Plaintext passwords in a response",
                           Severity.HIGH, "password-plaintext"),
    "env-secret": ("environment-secret", "Configuration secrets (environment dump) in a response",
                   Severity.HIGH, "environment-secret"),
    "private-key": ("private-key", "Private key in a response", Severity.HIGH, "secret-key"),
    "api-key": ("api-key", "Service API key or token in a response", Severity.HIGH,
                "secret-key"),
    "jwt-unsigned": ("jwt-unsigned", "Unsigned JWT (alg none) in a response", Severity.MEDIUM,
                     "secret-key"),
    "jwt": ("jwt", "JWT outside an authentication response", Severity.LOW, "secret-key"),
    "card-number": ("card-number", "Payment card numbers in a response", Severity.HIGH,
                    "personal-data"),
    "national-id": ("national-id", "National id numbers in a response", Severity.MEDIUM,
                    "personal-data"),
}


# Values that are credentials wherever they appear: masked in this check's evidence, and
# redacted from every other finding (e.g. a schema check quoting the same response).
_NEVER_IN_A_REPORT = frozenset({"password-plaintext", "env-secret", "private-key", "api-key",
                                "password-hash"})
_USER_KEYS = ("username", "user_name", "userName", "login", "email", "mail", "user")
_USERISH_PATH = re.compile(r"user|account|member|customer|people|person|profile|staff|"
                           r"employee|admin", re.IGNORECASE)
_SECRETISH_FIELD = re.compile(r"pass|pwd|role|admin|email|phone", re.IGNORECASE)


def user_records(body: str) -> list[dict[str, object]]:
    """Objects of a JSON listing (top-level array or the first array of an envelope) that
    carry a user name or an email."""
    try:
        data = json.loads(body)
    except ValueError:
        return []
    items = data if isinstance(data, list) else next(
        (v for v in data.values() if isinstance(v, list)), []) if isinstance(data, dict) else []
    return [i for i in items if isinstance(i, dict)
            and any(isinstance(i.get(k), str) and i.get(k) for k in _USER_KEYS)]


class SensitiveData(Check):
    meta = CheckMeta(
        id="data_exposure.sensitive-data",
        title="Credentials, secrets and personal data in responses",
        category=Category.DATA_EXPOSURE,
        cwe=(200, 359),
        owasp=(Owasp.API3,),
        severity=Severity.HIGH,
        sends="nothing new for the shared observation of every GET operation (anonymous and as "
        "each identity), plus one GET with a throwaway Basic credential",
        phase=PHASE_PROBES,
        settings=(Setting(
            "bulk_email_threshold", "int", 10,
            "e-mail addresses in one response that count as a bulk leak",
            minimum=2,
            maximum=10000,
        ),),
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        observed = observed_responses(ctx)
        for item in observed:
            yield from self._echo(ctx, item)
            yield from self._inspect(ctx, item)
        yield from self._dummy_echo(ctx, observed)

    def _echo(self, ctx: ScanContext, item: Observed) -> Iterator[Finding]:
        """The user's own credential, in any encoding, in the body or a response header."""
        response = item.response
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.multi_items()
                           if k.lower() != "www-authenticate")
        seen = response.text + " " + headers
        if not item.authenticated or ctx.credentials is None or \
                not ctx.redactor.contains_secret(seen):
            return
        # A short password ("admin") may occur in ordinary text: it must be the pair, its
        # base64, or a password long enough not to be a coincidence.
        token = ctx.credentials.basic_header().split(" ", 1)[1]
        forms = [token, token.rstrip("="), f"{ctx.credentials.username}:{ctx.credentials.password}"]
        if len(ctx.credentials.password) >= 8:
            forms.append(ctx.credentials.password)
        if not any(form in seen for form in forms):
            return
        yield self.finding(
            "credentials-echoed",
            "Response echoes the caller's credentials",
            severity=Severity.HIGH,
            description=(f"GET {item.endpoint.path} answers an authenticated request with the "
                         "supplied password or Authorization header in the response (shown "
                         "[REDACTED] in the evidence). Anything that stores or logs responses "
                         "now holds the credential."),
            remediation=REMEDIATIONS["credentials-echoed"],
            exchange=response.exchange,
            path=item.endpoint.path,
            cwe=(200, 522),
            owasp=(Owasp.API3, Owasp.API2),
        )

    def _inspect(self, ctx: ScanContext, item: Observed) -> Iterator[Finding]:
        if item.response.status >= 500 or not item.response.body:
            return
        matches = scan(item.response.text, auth_like_path=is_auth_path(item.endpoint.path))
        by_kind: dict[str, list[Match]] = defaultdict(list)
        for match in matches:
            by_kind[match.kind].append(match)
            if match.kind in _NEVER_IN_A_REPORT and len(match.value) >= 8 and \
                    not match.value.isalpha():
                # Every report and log redacts it from now on, whichever check shows it (not
                # a plain word: redacting "password" everywhere would garble the report).
                ctx.redactor.add(match.value)
        if not item.authenticated:
            yield from self._users_listed(item, matches)
        for kind, found in sorted(by_kind.items()):
            if kind == "email":
                yield from self._bulk_emails(ctx, item, found, matches)
                continue
            rule, title, severity, fix = _RULES[kind]
            confidence = Confidence.HIGH
            if kind == "card-number" and not any("card" in m.where.lower() for m in found):
                confidence = Confidence.MEDIUM
            yield self._report(item, rule, title, severity, confidence, fix, found, matches)

    def _users_listed(self, item: Observed, matches: list[Match]) -> Iterator[Finding]:
        """User records (several objects with a user name or email) given to anyone."""
        if not 200 <= item.response.status < 300:
            return
        records = user_records(item.response.text)
        if len(records) < 2 or not (_USERISH_PATH.search(item.endpoint.path) or any(
                _SECRETISH_FIELD.search(k) for r in records for k in r)):
            return
        fields = sorted({k for r in records for k in r})[:12]
        yield self.finding(
            "users-listed-anonymously",
            "User records listed to anonymous callers",
            severity=Severity.MEDIUM,
            description=(f"GET {item.endpoint.path} answered an anonymous request with "
                         f"{len(records)} user records (fields: {', '.join(fields)}): anyone "
                         "can enumerate the accounts, the first step of credential stuffing "
                         "and targeted phishing."),
            remediation=REMEDIATIONS["users-listed"],
            exchange=masked_exchange(item.response.exchange, [m.value for m in matches]),
            path=item.endpoint.path,
            cwe=(359, 200),
            owasp=(Owasp.API3, Owasp.API1),
            data={"records": len(records), "fields": fields},
        )

    def _bulk_emails(self, ctx: ScanContext, item: Observed, found: list[Match],
                     everything: list[Match]) -> Iterator[Finding]:
        threshold = int(ctx.options.setting("bulk_email_threshold", 10))
        if len(found) >= threshold:
            yield self._report(item, "bulk-emails", "Bulk email addresses in a response",
                               Severity.MEDIUM, Confidence.MEDIUM, "personal-data", found,
                               everything)

    def _report(self, item: Observed, rule: str, title: str, severity: Severity,
                confidence: Confidence, fix: str, found: list[Match],
                everything: list[Match]) -> Finding:
        """One finding per kind; its evidence masks every sensitive value, not only its own."""
        places = [f"{m.where}: {m.label} {m.masked}" for m in found[:10]]
        who = "an authenticated" if item.authenticated else "an anonymous"
        return self.finding(
            rule,
            title,
            severity=severity,
            confidence=confidence,
            description=(f"GET {item.endpoint.path} returned {len(found)} value(s) of this kind "
                         f"to {who} request: {'; '.join(places[:3])}"
                         f"{' …' if len(places) > 3 else ''}."),
            remediation=REMEDIATIONS[fix],
            exchange=masked_exchange(item.response.exchange, [m.value for m in everything]),
            path=item.endpoint.path,
            data={"count": len(found), "locations": places, "authenticated": item.authenticated},
        )

    def _dummy_echo(self, ctx: ScanContext, observed: list[Observed]) -> Iterator[Finding]:
        """Send a throwaway Basic credential to a challenging endpoint: is it echoed back?"""
        target = next((o for o in observed if not o.authenticated and o.response.status == 401
                       and "basic" in challenges(o.response)), None)
        if target is None:
            return
        password = "apivigil-" + secrets.token_hex(8)
        header = basic_header(DUMMY_USER, password)
        try:
            response = ctx.http.get(target.endpoint.url, headers={"Authorization": header},
                                    use_extra_headers=False)
        except ProbeError:
            return
        token = header.split(" ", 1)[1]
        pair = base64.b64decode(token).decode()
        if not any(v in response.text for v in (password, token, pair)):
            return
        yield self.finding(
            "credentials-echoed",
            "Error response echoes the submitted credentials",
            severity=Severity.MEDIUM,
            description=(f"GET {target.endpoint.path} echoed the password or Authorization "
                         "header of a failed login back in its response: a rejected password "
                         "(often a real one with a typo) ends up in logs and caches."),
            remediation=REMEDIATIONS["credentials-echoed"],
            exchange=masked_exchange(response.exchange, [password, token, pair]),
            path=target.endpoint.path,
            parameter="failed login",
            cwe=(200, 522),
            owasp=(Owasp.API3, Owasp.API2),
        )
