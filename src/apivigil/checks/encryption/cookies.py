"""Cookie flags on HTTPS: Secure, HttpOnly and SameSite.

A session cookie without `Secure` is sent by browsers over http:// too, so one cleartext request
(a stray link, an attacker's injected http:// URL) hands the session to anyone on the path,
however good the TLS is. The check reads every Set-Cookie of the HTTPS answers other checks
already fetch (the anonymous baselines of up to 3 endpoints, plus the root path) and, when
credentials were supplied, of the same endpoints fetched with them over HTTPS and of the login
POST the identities logged in with (the "after login" cookies: many apps set the session
cookie only in the login answer, never again).

A cookie is session-like when its name says so (session, sid, token, auth, jwt, login,
remember...) or when it is set only on the authenticated answers. Rules, per cookie name (one
finding per rule even when several answers set the cookie; the evidence is the first answer
that lacks the flag):

* `cookie-no-secure`: medium for session-like cookies, low for others;
* `cookie-no-httponly`: medium, session-like cookies only (script-readable sessions are
  stolen by any XSS; CSRF tokens meant for scripts are not session-like);
* `cookie-no-samesite` (low): no SameSite attribute, so the browser's default decides whether
  cross-site requests carry it.

Deleting cookies (an expiry in the past or Max-Age=0) are ignored.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.checks.common import probe_endpoints
from apivigil.checks.target import Endpoint
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

SESSION_NAME = re.compile(
    r"sess|^sid$|_sid$|sid_|token|auth|jwt|login|remember|identity|^id$|user_?id",
    re.IGNORECASE)
NOT_SESSION = re.compile(r"csrf|xsrf", re.IGNORECASE)

REMEDIATION = Remediation(
    summary=(
        "Set session cookies with `Secure; HttpOnly; SameSite=Lax` (or Strict), and every "
        "other cookie with at least `Secure; SameSite`."
    ),
    examples=examples("session-cookies"),
    references=(
        "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#cookies",
        "https://flask.palletsprojects.com/en/stable/security/#set-cookie-options",
    ),
)


@dataclass(frozen=True)
class SetCookie:
    name: str
    attributes: frozenset[str]  # lower-case attribute names
    deleting: bool
    response: ProbeResponse


def parse_set_cookie(value: str, response: ProbeResponse) -> SetCookie | None:
    """Name and attribute names of one Set-Cookie header (values ignored, never reported)."""
    first, *rest = value.split(";")
    name, sep, _ = first.partition("=")
    if not sep or not name.strip():
        return None
    attributes: dict[str, str] = {}
    for part in rest:
        key, _, attr_value = part.strip().partition("=")
        if key:
            attributes[key.strip().lower()] = attr_value.strip()
    deleting = attributes.get("max-age", "").strip() in ("0", "-1")
    if "expires" in attributes:
        with contextlib.suppress(TypeError, ValueError):
            deleting = deleting or parsedate_to_datetime(attributes["expires"]).year < 2000
    return SetCookie(name.strip(), frozenset(attributes), deleting, response)


class CookieFlags(Check):
    meta = CheckMeta(
        id="encryption.cookies",
        title="Cookie Secure, HttpOnly and SameSite flags",
        category=Category.ENCRYPTION,
        cwe=(614, 319, 1004, 1275),  # each finding carries its own subset
        owasp=(Owasp.API8,),
        severity=Severity.MEDIUM,
        sends="the shared HTTPS baselines (GET) of up to 3 endpoints and /, anonymous and, "
        "with credentials, authenticated; reads the login answer (--login) it was given",
        needs_https=True,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        anonymous: dict[str, list[SetCookie]] = {}
        after_login: dict[str, list[SetCookie]] = {}

        def read(response: ProbeResponse, seen: dict[str, list[SetCookie]]) -> None:
            for value in response.header_values("set-cookie"):
                cookie = parse_set_cookie(value, response)
                if cookie is not None and not cookie.deleting:
                    seen.setdefault(cookie.name, []).append(cookie)

        # The login answer before the authenticated baselines: where a session cookie is
        # issued, and often the only answer that sets it.
        for answer in ctx.login_answers:
            if urlsplit(answer.url).scheme == "https":
                read(answer, after_login)
        endpoints = probe_endpoints(ctx, limit=3)
        root = ctx.target.origin("https") + "/"
        if root not in [e.url for e in endpoints]:
            endpoints.append(Endpoint("GET", root, "/"))  # where sites often set cookies
        for endpoint in endpoints:
            for authenticated, seen in ((False, anonymous), (True, after_login)):
                if authenticated and (not ctx.has_credentials or endpoint.url == root):
                    continue
                try:
                    response = ctx.baseline(endpoint, authenticated=authenticated)
                except ProbeError:
                    continue
                read(response, seen)
        for name in sorted({*anonymous, *after_login}):
            session = not NOT_SESSION.search(name) and (
                bool(SESSION_NAME.search(name)) or name not in anonymous)
            yield from self._judge(anonymous.get(name, []) + after_login.get(name, []), session)

    def _judge(self, setters: list[SetCookie], session: bool) -> Iterator[Finding]:
        """One finding per missing flag, shown on the first answer that set the cookie
        without it (a cookie set by several answers is judged on all of them)."""
        kind = "session-like cookie" if session else "cookie"

        def lacking(attribute: str) -> SetCookie | None:
            return next((c for c in setters if attribute not in c.attributes), None)

        def found(cookie: SetCookie, rule: str, title: str, severity: Severity,
                  description: str, cwe: tuple[int, ...]) -> Finding:
            return self.finding(
                rule, title, severity=severity, description=description, cwe=cwe,
                exchange=cookie.response.exchange, parameter=cookie.name,
                remediation=REMEDIATION,
                summary=f"{title}. Seen: Set-Cookie: {cookie.name}=[REDACTED]"
                + "".join(f"; {a}" for a in sorted(cookie.attributes))
                + f" (on {cookie.response.exchange.method} {cookie.response.exchange.url})",
                data={"cookie": cookie.name, "session_like": session,
                      "attributes": sorted(cookie.attributes)})

        if cookie := lacking("secure"):
            yield found(
                cookie, "cookie-no-secure", f"Cookie without Secure: {cookie.name}",
                Severity.MEDIUM if session else Severity.LOW,
                (
                    f"The {kind} {cookie.name!r} is set over HTTPS without the Secure flag, so "
                    "browsers also send it over http://, where anyone on the path can read it"
                    + (" and take over the session." if session else ".")
                ),
                (614, 319))
        if session and (cookie := lacking("httponly")):
            yield found(
                cookie, "cookie-no-httponly", f"Session cookie without HttpOnly: {cookie.name}",
                Severity.MEDIUM,
                (
                    f"The session-like cookie {cookie.name!r} has no HttpOnly flag, so any "
                    "script injected into a page of this origin (XSS) can read and exfiltrate "
                    "it."
                ),
                (1004,))
        if cookie := lacking("samesite"):
            yield found(
                cookie, "cookie-no-samesite", f"Cookie without SameSite: {cookie.name}",
                Severity.LOW,
                (
                    f"The {kind} {cookie.name!r} has no SameSite attribute; whether browsers "
                    "attach it to cross-site requests (CSRF) is left to their defaults."
                ),
                (1275,))
