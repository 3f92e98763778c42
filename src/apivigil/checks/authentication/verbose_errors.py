"""Verbose authentication errors: a failed login should say "invalid credentials" and no more.

Reads the failed logins the enumeration check sends (shared, so no extra traffic): no
credentials, an unknown user with a wrong password and, when `-u` gives a user name, that user
with a wrong password. Rules:

* `verbose-auth-error` (low): a failure body says which part was wrong ("unknown user",
  "wrong password", "user not found"...), which helps an attacker split the guessing work;
* `username-echoed` (low): a failure body repeats the user name that was sent (reflection, and
  log-forging or XSS material when rendered);
* `auth-error-internals` (medium): a failure body holds a stack trace, a debug page or a
  database error;
* `inconsistent-auth-status` (low): failures of different kinds get status codes outside the
  normal 401/403 pair (e.g. 404 for an unknown user), which tells them apart.

* `missing-challenge` (low): an endpoint answers 401 without a `WWW-Authenticate` challenge
  (RFC 9110 section 15.5.2 requires one), judged on the shared anonymous baselines of up to 10
  endpoints.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from apivigil.checks.authentication.probing import (
    ANONYMOUS,
    ENUMERATION_REMEDIATION,
    REFERENCES,
    auth_target,
    debug_signature,
    failure_samples,
)
from apivigil.checks.base import PHASE_FAILED_LOGINS, Check, CheckMeta, ScanContext
from apivigil.checks.common import probe_endpoints
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

_CAUSE = re.compile(
    r"(unknown|invalid|no such|nonexistent|non-existent|bad|wrong|incorrect)\s+"
    r"(user(name)?|account|login|e-?mail|password|passwd)"
    r"|(user(name)?|account|e-?mail)\s+(does\s*n[o']t\s+exist|not\s+found|unknown|is\s+invalid)"
    r"|password\s+(is\s+)?(incorrect|wrong|invalid|mismatch|does\s*n[o']t\s+match)",
    re.IGNORECASE,
)
# "Invalid username or password" is the generic message we recommend: not a cause.
_GENERIC_PAIR = re.compile(
    r"(user\s*name|user|e-?mail|login|account)\s*(or|and|/|&)\s*(password|passwd)"
    r"|(password|passwd)\s*(or|and|/|&)\s*(user\s*name|user|e-?mail|login)",
    re.IGNORECASE,
)
_DATABASE = re.compile(
    r"SQL syntax|sqlite3\.\w+Error|psycopg2?\.|ORA-\d{5}|SQLSTATE\[|pymysql\.err|"
    r"MongoServerError|SequelizeDatabaseError",
)
_NORMAL_REFUSALS = frozenset({401, 403})

INTERNALS_REMEDIATION = Remediation(
    summary=(
        "Catch errors in the authentication path and answer with a generic 401 (or a plain "
        "500 with no detail); log the details on the server. Turn debug mode off in production."
    ),
    examples=examples("debug-off"),
    references=(*REFERENCES, "https://cwe.mitre.org/data/definitions/209.html"),
)


CHALLENGE_REMEDIATION = Remediation(
    summary=(
        "Send a `WWW-Authenticate` challenge with every 401 (RFC 9110), naming the scheme "
        "and realm, and keep it identical for every kind of failure: let the authentication "
        "library refuse (Flask-HTTPAuth, FastAPI's HTTPBasic; for tokens HTTPTokenAuth and "
        "OAuth2PasswordBearer, which send `Bearer`) rather than returning 401 by hand."
    ),
    examples=examples("auth-enforcement"),
    references=("https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2", *REFERENCES),
)


class VerboseAuthErrors(Check):
    meta = CheckMeta(
        id="authentication.verbose-errors",
        title="Verbose authentication errors",
        category=Category.AUTHENTICATION,
        cwe=(209, 204, 203),
        owasp=(Owasp.API2, Owasp.API8),
        severity=Severity.MEDIUM,
        sends="nothing of its own: reads the failed logins of authentication.user-enumeration "
        "(up to 9 failed logins at the authentication endpoint, sent once for both) and the shared "
        "anonymous baselines",
        phase=PHASE_FAILED_LOGINS,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if auth_target(ctx) is None:
            return "no endpoint refuses anonymous requests (401/403): no failed login to read"
        return super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        yield from self._missing_challenges(ctx)
        yield from self._failures(ctx)

    def _missing_challenges(self, ctx: ScanContext) -> Iterator[Finding]:
        for endpoint in probe_endpoints(ctx, limit=10):
            try:
                anonymous = ctx.baseline(endpoint)
            except ProbeError:
                continue
            if anonymous.status == 401 and not anonymous.header_values("www-authenticate"):
                yield self.finding(
                    "missing-challenge",
                    "401 without a WWW-Authenticate challenge",
                    severity=Severity.LOW,
                    description=(
                        f"{endpoint.method} {endpoint.path} answers 401 without a "
                        "WWW-Authenticate header, so clients cannot tell which scheme to use "
                        "(RFC 9110 requires the challenge)."
                    ),
                    remediation=CHALLENGE_REMEDIATION,
                    exchange=anonymous.exchange,
                    path=endpoint.path,
                    cwe=(287,),
                )

    def _failures(self, ctx: ScanContext) -> Iterator[Finding]:
        target = auth_target(ctx)
        assert target is not None
        samples = failure_samples(ctx, target)
        path = target.endpoint.path
        reported: set[str] = set()
        statuses: dict[str, int] = {}
        for kind, responses in samples.responses.items():
            if not responses:
                continue
            response = responses[0]
            statuses[kind] = response.status
            text = response.text
            sent = samples.usernames.get(kind, "")
            internals = debug_signature(text) or (
                "database error" if _DATABASE.search(text) else None)
            if internals and "internals" not in reported:
                reported.add("internals")
                yield self.finding(
                    "auth-error-internals",
                    "Failed login reveals internals",
                    severity=Severity.MEDIUM,
                    description=(f"A failed login ({kind}) on {target.label} answered with a "
                                 f"{internals}: it shows code, paths or queries to anyone."),
                    remediation=INTERNALS_REMEDIATION,
                    exchange=response.exchange,
                    path=path,
                    cwe=(209,),
                    data={"kind": kind, "signature": internals},
                )
            cause = _CAUSE.search(_GENERIC_PAIR.sub("credentials", text))
            if cause and "cause" not in reported:
                reported.add("cause")
                yield self.finding(
                    "verbose-auth-error",
                    "Failed login says which part was wrong",
                    severity=Severity.LOW,
                    description=(f"A failed login ({kind}) on {target.label} says "
                                 f"{cause.group(0)!r}: the message tells an attacker whether "
                                 "the user name or the password was wrong."),
                    remediation=ENUMERATION_REMEDIATION,
                    exchange=response.exchange,
                    path=path,
                    cwe=(204, 203),
                    data={"kind": kind, "message": cause.group(0)},
                )
            if len(sent) >= 8 and sent in text and "echo" not in reported:
                reported.add("echo")
                yield self.finding(
                    "username-echoed",
                    "Failed login echoes the user name",
                    severity=Severity.LOW,
                    confidence=Confidence.HIGH,
                    description=(f"A failed login ({kind}) on {target.label} repeats the user name "
                                 "that was sent: reflected input in an error invites log "
                                 "forging and injection where the message is rendered."),
                    remediation=ENUMERATION_REMEDIATION,
                    exchange=response.exchange,
                    path=path,
                    cwe=(209,),
                    data={"kind": kind},
                )
        if target.is_login_post:  # an empty login is a malformed request there (400, 422)
            statuses.pop(ANONYMOUS, None)
        unusual = {k: s for k, s in statuses.items() if s not in _NORMAL_REFUSALS}
        if len(set(statuses.values())) > 1 and unusual:
            kind = sorted(unusual)[0]
            yield self.finding(
                "inconsistent-auth-status",
                "Failed logins get different status codes",
                severity=Severity.LOW,
                description=(f"Failed logins on {target.label} are answered with different status "
                             f"codes ({_describe(statuses)}); one generic 401 for every failure "
                             "gives nothing away."),
                remediation=ENUMERATION_REMEDIATION,
                exchange=samples.responses[kind][0].exchange,
                path=path,
                data={k: v for k, v in sorted(statuses.items())},
            )


def _describe(statuses: dict[str, int]) -> str:
    return ", ".join(f"{kind}: {status}" for kind, status in sorted(statuses.items()))
