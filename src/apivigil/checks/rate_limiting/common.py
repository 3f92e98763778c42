"""Remediation text the rate limiting checks share."""

from __future__ import annotations

from apivigil.core.models import Remediation
from apivigil.remediation import examples

REMEDIATION = Remediation(
    summary="Throttle failed logins per client address (and per account): answer 429 with "
    "Retry-After once a small number of failures is reached, keyed on an address the client "
    "cannot forge (with a shared counter store when the API runs in several processes).",
    examples=examples("login-throttling"),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html",
        "https://flask-limiter.readthedocs.io/",
    ),
)
