"""Default credentials: the API must not let anyone in with admin:admin and friends.

Tries a short list of well-known pairs (at most 10 attempts) on the authentication endpoint:
the login POST when there is a login flow (accepted = it answers a token or a session), else
HTTP Basic on a protected GET (accepted = 2xx). A pair the endpoint accepts, while it refuses a
random wrong pair, is critical: anyone can log in.

Politeness: a random wrong pair is sent first as a control (if even that is let in, the
endpoint does not check credentials at all, which `authentication.enforcement` reports); the
list stops at the first 429 (throttling) or 423 / "locked" answer (lockout), and that is said
in the scan's notices. `--no-default-credentials` turns the check off. A finding names the
user and the list entry, not the password: it is a live credential of the target. Runs in
phase 20 with the other checks that may trip throttling. Stops at the first accepted pair.
Sends at most 11 requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from apivigil.checks.authentication.probing import (
    REFERENCES,
    auth_target,
    note_throttled,
    unknown_username,
    wrong_password,
)
from apivigil.checks.base import PHASE_THROTTLING, Check, CheckMeta, ScanContext
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.remediation import examples

DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("admin", "admin"),
    ("admin", "password"),
    ("admin", "admin123"),
    ("admin", "changeme"),
    ("root", "root"),
    ("root", "toor"),
    ("test", "test"),
    ("user", "user"),
    ("guest", "guest"),
    ("administrator", "administrator"),
)
_LOCKED = re.compile(r"\b(account|user)\b[^.]{0,40}\blocked\b|\blocked out\b|too many",
                     re.IGNORECASE)

REMEDIATION = Remediation(
    summary=(
        "Remove default and test accounts before deployment; take the first administrator's "
        "password from the operator (or make a random one, shown once), and refuse default "
        "and common passwords wherever a password is set; throttle and alert on failed "
        "logins (the fix of rate_limiting.no-login-throttling)."
    ),
    examples=examples("no-default-accounts"),
    references=(*REFERENCES, "https://cwe.mitre.org/data/definitions/1392.html"),
)


class DefaultCredentials(Check):
    meta = CheckMeta(
        id="authentication.default-credentials",
        title="Default credentials accepted",
        category=Category.AUTHENTICATION,
        cwe=(1392, 1393, 521),
        owasp=(Owasp.API2,),
        severity=Severity.CRITICAL,
        sends="up to 11 logins at the authentication endpoint (login POST, or GETs with HTTP "
        "Basic): a random wrong pair, then well-known pairs (admin:admin...), stopping at "
        "throttling or lockout",
        phase=PHASE_THROTTLING,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        if not ctx.options.default_credentials:
            return "turned off with --no-default-credentials"
        if auth_target(ctx) is None:
            return "no endpoint refuses anonymous requests (401/403): no login to try"
        return super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        target = auth_target(ctx)
        assert target is not None
        path = target.endpoint.path
        if not target.is_login_post and target.schemes and "basic" not in target.schemes:
            return  # the endpoint does not take Basic: nothing to try
        attempts = [(unknown_username(), wrong_password()), *DEFAULT_PAIRS]
        for number, (user, password) in enumerate(attempts):
            try:
                response = target.attempt(ctx, user, password)
            except ProbeError:
                return
            accepted = target.accepted(ctx, response)
            if response.status in (429, 423) or (
                    not accepted and _LOCKED.search(response.text)):
                note_throttled(ctx, response.status,
                               f"after {number} of {len(attempts)} attempts")
                return
            if not accepted:
                continue
            if number == 0:
                return  # a random pair is let in too: enforcement reports that
            yield self.finding(
                "default-credentials",
                f"Default credentials accepted ({user})",
                severity=Severity.CRITICAL,
                description=(
                    f"{target.label} refuses a random wrong pair, but "
                    f"accepted user {user!r} with a well-known default password (entry "
                    f"{number} of DEFAULT_PAIRS in apivigil's default_credentials check; the "
                    f"password is not repeated here) (HTTP {response.status}): anyone can "
                    "log in with it."
                ),
                remediation=REMEDIATION,
                exchange=response.exchange,
                path=path,
                parameter=user,
                data={"username": user, "list_entry": number, "status": response.status},
            )
            return  # one accepted pair proves it; no need to keep logging in
