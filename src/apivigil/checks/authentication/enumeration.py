"""User enumeration by response: failed logins must look the same for known and unknown users.

On the authentication endpoint (the login POST of `--login` or the spec's OAuth2 flow, else a
protected GET taking HTTP Basic) the check sends, interleaved and three times each, a failed
login for the known user from `-u` (with a wrong password), for a random user name that cannot
exist (with a wrong password), and with no credentials (an empty login). It compares what a
client can see: status code, headers that matter (volatile ones like Date or request ids are
ignored) and the body after normalisation (the user names sent, ids, timestamps, nonces and
numbers are replaced by markers, so dynamic content and echoed names are not mistaken for a
difference).

Rule: a difference is reported only when no known-user answer matches any unknown-user answer
across all rounds (at least two of each). Confidence is high when each side answered the same
way every time. A 429 or 423 stops the sampling; what was throttled is never compared, and
when too few answers remain the check says so in the scan's notices instead of guessing.

Only the user name of `-u` is used (paired with wrong passwords), so the check also runs on a
cleartext target where the password is withheld. Sends up to 9 requests, shared with the
verbose-errors check.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.authentication.probing import (
    ENUMERATION_REMEDIATION,
    KNOWN,
    UNKNOWN,
    auth_target,
    failure_samples,
    known_username,
    note_throttled,
    signature,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.core.models import Category, Confidence, Finding, Owasp, Severity
from apivigil.http.client import ProbeResponse

MIN_SAMPLES = 2


def needs_known_user(ctx: ScanContext) -> str | None:
    """Skip reason for checks that compare a known user with an unknown one."""
    if known_username(ctx) is None:
        return ("needs a known user name to compare with (-u USER:PASSWORD, or an --identity "
                "with USER:PASSWORD)")
    if auth_target(ctx) is None:
        return "no endpoint refuses anonymous requests (401/403): no login to compare"
    return None


class UserEnumerationResponse(Check):
    meta = CheckMeta(
        id="authentication.user-enumeration",
        title="User enumeration by response",
        category=Category.AUTHENTICATION,
        cwe=(204, 203),
        owasp=(Owasp.API2,),
        severity=Severity.MEDIUM,
        sends="up to 9 failed logins at the authentication endpoint (the login POST, or GETs "
        "with HTTP Basic): known user with a wrong password, "
        "unknown user with a wrong password and no credentials, 3 rounds interleaved",
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        return needs_known_user(ctx) or super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        target = auth_target(ctx)
        assert target is not None
        samples = failure_samples(ctx, target)
        known, unknown = samples.responses[KNOWN], samples.responses[UNKNOWN]
        if min(len(known), len(unknown)) < MIN_SAMPLES:
            if samples.throttled is not None:
                note_throttled(ctx, self.meta.id, samples.throttled.status,
                               "before two failed logins of each kind were answered")
            return
        names = list(samples.usernames.values())
        known_sigs = {signature(r, names) for r in known}
        unknown_sigs = {signature(r, names) for r in unknown}
        if known_sigs & unknown_sigs:
            return
        differences = _differences(known[0], unknown[0], names)
        stable = len(known_sigs) == 1 and len(unknown_sigs) == 1
        yield self.finding(
            "user-enumeration",
            "Failed logins tell known users from unknown ones",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH if stable else Confidence.MEDIUM,
            description=(
                f"{target.label} answers a wrong password for an existing user "
                f"differently from a wrong password for a user that does not exist "
                f"({', '.join(differences)}), in every one of {len(known)} + {len(unknown)} "
                "attempts: an attacker can list valid user names, then guess their passwords."
            ),
            remediation=ENUMERATION_REMEDIATION,
            exchange=unknown[0].exchange,
            summary=(
                f"known user: HTTP {known[0].status} {_excerpt(known[0])!r}; "
                f"unknown user: HTTP {unknown[0].status} {_excerpt(unknown[0])!r}"
            ),
            path=target.endpoint.path,
            data={
                "known_status": known[0].status,
                "unknown_status": unknown[0].status,
                "known_samples": len(known),
                "unknown_samples": len(unknown),
                "differences": differences,
                "stable": stable,
            },
        )


def _differences(known: ProbeResponse, unknown: ProbeResponse, names: list[str]) -> list[str]:
    k_status, k_headers, k_body = signature(known, names)
    u_status, u_headers, u_body = signature(unknown, names)
    found = []
    if k_status != u_status:
        found.append(f"status {k_status} vs {u_status}")
    if k_headers != u_headers:
        found.append("headers")
    if k_body != u_body:
        found.append("body")
    return found or ["response"]


def _excerpt(response: ProbeResponse) -> str:
    return " ".join(response.text.split())[:120]
