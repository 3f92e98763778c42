"""Broken credential check: the server must verify the user name AND the password, together.

With the known-good pair from `-u` (or the first `--identity` with USER:PASSWORD), on the login
POST when there is a login flow (accepted = it answers a token or a session), else on each
protected endpoint taking HTTP Basic (up to 4: one endpoint's check may differ from the
login's), the check first confirms the pair is accepted there (otherwise there is nothing to
compare against), then sends

* the right password with a random user name that cannot exist, and
* the right user name with a wrong password.

Acceptance (2xx) of either is a broken check: the widely copied Flask snippet that compares
only the password against one bcrypt hash accepts any user name with that password, and code
that only looks the user up accepts any password. Critical: anyone who knows (or guesses) one
password is every user, or anyone who knows a user name is that user.

Needs the user's credentials (`-u`); they are never sent over cleartext (the engine withholds
them and this check is skipped with that reason). Sends 3 requests per endpoint (at most 12); a 429
stops it. The random user name paired
with the real password is registered with the redactor before it is sent, so no encoding of it
can reach a report.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.authentication.probing import (
    REFERENCES,
    note_throttled,
    protected_endpoints,
    unknown_username,
    wrong_password,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import login_accepted, login_attempt, login_point
from apivigil.checks.target import Endpoint
from apivigil.core.config import Credentials
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

MAX_ENDPOINTS = 4

REMEDIATION = Remediation(
    summary=(
        "Look the user up by name and verify that user's own password hash; refuse when "
        "either is wrong. Never compare a password against a single shared hash."
    ),
    examples=examples("basic-auth"),
    references=(*REFERENCES, "https://cwe.mitre.org/data/definitions/287.html"),
)


class BrokenCredentialCheck(Check):
    meta = CheckMeta(
        id="authentication.broken-credential-check",
        title="Credential check ignores the user name or the password",
        category=Category.AUTHENTICATION,
        cwe=(287, 303, 1390),
        owasp=(Owasp.API2,),
        severity=Severity.CRITICAL,
        sends="3 logins at the login POST, or 3 GETs with HTTP Basic of each protected endpoint "
        "(up to 4): the supplied pair, the supplied password with a random user name, the "
        "supplied user name with a wrong password",
        needs_credentials=True,
        phase=15,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if super().applies_to(ctx) is None and _pair(ctx) is None:
            return ("needs a USER:PASSWORD to check (a token, key or cookie alone does not "
                    "say how the password is checked)")
        return super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        credentials = _pair(ctx)
        if credentials is None:
            return
        stranger = unknown_username()
        ctx.redactor.add_basic_credential(stranger, credentials.password)
        login = login_point(ctx)
        endpoints = [login] if login is not None \
            else [e for e, _ in protected_endpoints(ctx)[:MAX_ENDPOINTS]]
        for endpoint in endpoints:
            try:
                yield from self._probe(ctx, endpoint, credentials, stranger)
            except _ThrottledError:
                note_throttled(ctx, self.meta.id, 429, f"on GET {endpoint.path}")
                return
            except ProbeError:
                continue

    def _probe(self, ctx: ScanContext, endpoint: Endpoint, credentials: Credentials,
               stranger: str) -> Iterator[Finding]:
        path = endpoint.path
        good = self._login(ctx, endpoint, credentials.username, credentials.password)
        if not login_accepted(ctx.login, endpoint, good):
            return  # the pair is not accepted here: nothing to compare against
        variants = (
            ("right password, random user name", "username", stranger, credentials.password),
            ("right user name, wrong password", "password", credentials.username,
             wrong_password()),
        )
        for label, parameter, user, password in variants:
            response = self._login(ctx, endpoint, user, password)
            if not login_accepted(ctx.login, endpoint, response):
                continue
            ignored = "user name" if parameter == "username" else "password"
            yield self.finding(
                f"ignores-{parameter}",
                f"Credential check ignores the {ignored}",
                severity=Severity.CRITICAL,
                description=(
                    f"{endpoint.method} {path} accepted the supplied pair, and also accepted "
                    f"{label} "
                    f"(HTTP {response.status}): the server does not verify the {ignored}, "
                    "so anyone who knows "
                    + ("one password is every user." if parameter == "username"
                       else "a user name is that user.")
                ),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=path,
                parameter=parameter,
                data={"accepted": label, "status": response.status},
            )

    @staticmethod
    def _login(ctx: ScanContext, endpoint: Endpoint, user: str, password: str) -> ProbeResponse:
        response = login_attempt(ctx, endpoint, user, password)
        if response.status == 429:
            raise _ThrottledError
        return response


def _pair(ctx: ScanContext) -> Credentials | None:
    """The known-good USER:PASSWORD: -u, else the first verified identity that has one."""
    if ctx.credentials is not None:
        return ctx.credentials
    return next((i.credentials for i in ctx.identities if i.credentials is not None), None)


class _ThrottledError(Exception):
    """The target throttled us: stop rather than prolong it."""
