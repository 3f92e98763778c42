"""HTTPS enforcement: the cleartext side redirects, but in a way that still leaks or misleads.

Redirecting http:// to https:// protects a client only if it happens first, for every path, to
the same host, over https://, and permanently. This check judges the redirects seen in the
cleartext survey (`httpside.py`, shared with the cleartext-exposure check, which handles sides
that never redirect) and follows same-host redirects only (the probe client never leaves the
target host and sends no credential on a redirect). Rules:

* `redirect-after-auth`: some paths redirect, yet a path asks for credentials over http://
  (a 401/403 or a challenge) instead of redirecting: the client sends its username and password
  in cleartext before it is ever sent to HTTPS. Critical with a Basic challenge (the password
  itself is solicited), high otherwise.
* `partial-https-redirect` (high): some paths redirect, others are served over http://.
* `redirect-to-http`: a redirect sends the client to http:// again; high when the chain never
  reaches https:// (the API is really served in cleartext), medium when it does after extra
  cleartext hops (each hop repeats a preemptive credential).
* `redirect-off-host`: the redirect leaves the target host; medium to https:// (the client
  re-sends its request and, with some clients, its credentials to another host, and the
  API's own HSTS is never learnt), high to http://.
* `redirect-to-dead-https` (high): the redirect goes to an https:// URL on this host that does
  not answer over TLS (typically the cleartext port kept: `https://host:8080` when 8080 speaks
  plain HTTP): no client can follow it, so the API is in practice cleartext-only.
* `redirect-not-permanent` (low): 302/303/307 where 301/308 belongs: clients and caches do not
  remember it, so every new session starts in cleartext again (and 302/303 turn POST into GET).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from apivigil.checks.base import PHASE_FAILED_LOGINS, Check, CheckMeta, ScanContext
from apivigil.checks.encryption.cleartext import REMEDIATION
from apivigil.checks.encryption.httpside import SideProbe, http_side
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.core.models import Category, Finding, Owasp, Severity
from apivigil.http.client import ProbeResponse

PERMANENT = (301, 308)


class HttpsEnforcement(Check):
    meta = CheckMeta(
        id="encryption.https-enforcement",
        title="Weak HTTPS enforcement on the cleartext side",
        category=Category.ENCRYPTION,
        cwe=(319, 523),
        owasp=(Owasp.API8, Owasp.API2),
        severity=Severity.CRITICAL,
        sends="the cleartext survey shared with encryption.cleartext, then redirects to "
        "http:// on the same host followed (GET, no credentials, at most 5 hops)",
        phase=PHASE_FAILED_LOGINS,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        side = http_side(ctx)
        if not side.listening or not side.any_redirect:
            return
        origin = ctx.target.origin("http")
        redirecting = [p for p in side.probes if p.redirects]
        asking = [p for p in side.probes
                  if not p.plain.is_redirect and not p.extra and p.asks_credentials]
        serving = [p for p in side.probes
                   if not p.redirects and not p.extra and not p.asks_credentials]
        if asking:
            basic = any(p.basic_challenge for p in asking)
            at_once = [p.path for p in redirecting if p.plain.is_redirect]
            where = (f"redirects to HTTPS for {', '.join(at_once)}" if at_once else
                     "redirects to HTTPS only once a credential has been sent")
            yield self.finding(
                "redirect-after-auth",
                "HTTPS redirect only after authentication",
                severity=Severity.CRITICAL if basic else Severity.HIGH,
                description=(
                    f"{origin} {where} but asks for credentials over cleartext on "
                    f"{', '.join(p.path for p in asking)}"
                    + (" with a Basic challenge" if basic else "")
                    + ". A client that answers sends its username and password base64-encoded "
                    "over http:// before any redirect, where anyone on the path reads them. "
                    "Authentication runs before the HTTPS redirect."
                ),
                remediation=REMEDIATION,
                exchange=asking[0].evidence.exchange,
                url=origin,
                data={"asks_credentials": [p.path for p in asking], "redirects": at_once},
            )
        if serving:
            yield self.finding(
                "partial-https-redirect",
                "HTTPS enforced for some paths only",
                severity=Severity.HIGH,
                description=(
                    f"{origin} redirects {', '.join(p.path for p in redirecting)} to HTTPS but "
                    f"serves {', '.join(p.path for p in serving)} over cleartext HTTP, where "
                    "requests and responses can be read and altered in transit."
                ),
                remediation=REMEDIATION,
                exchange=serving[0].plain.exchange,
                url=origin,
                data={"served_over_http": [p.path for p in serving],
                      "redirects": [p.path for p in redirecting]},
            )
        yield from self._judge_redirects(ctx, redirecting)

    @staticmethod
    def _https_failure(ctx: ScanContext, location: str, known: dict[str, str | None]) -> str | None:
        """Why the https:// origin of `location` does not answer (None when it does); the
        scan's own HTTPS origin answered its preflight, any other is tried once."""
        parts = urlsplit(location)
        origin = f"https://{parts.netloc}"
        if ctx.target.is_https and origin == ctx.target.origin("https"):
            return None
        if origin not in known:
            try:
                ctx.http.get(origin + "/", use_extra_headers=False)
                known[origin] = None
            except BudgetExhaustedError:
                raise  # no budget is no verdict
            except ProbeError as exc:
                known[origin] = str(exc).split(": ", 1)[-1]
        return known[origin]

    def _judge_redirects(self, ctx: ScanContext, probes: list[SideProbe]) -> Iterator[Finding]:
        temporary: list[tuple[SideProbe, ProbeResponse]] = []
        off_host: list[tuple[SideProbe, ProbeResponse, str]] = []
        to_http: list[tuple[SideProbe, ProbeResponse, bool]] = []
        dead: list[tuple[SideProbe, ProbeResponse, str]] = []
        tls_answers: dict[str, str | None] = {}  # https origin -> why it fails (None: works)
        for probe in probes:
            first = probe.plain if probe.plain.is_redirect else probe.with_dummy
            assert first is not None and first.location is not None
            if first.status not in PERMANENT:
                temporary.append((probe, first))
            location = first.location
            if not ctx.http.in_scope(location):
                off_host.append((probe, first, location))
                continue
            if location.startswith("https://"):  # straight to HTTPS on the same host
                failure = self._https_failure(ctx, location, tls_answers)
                if failure is not None:
                    dead.append((probe, first, failure))
                continue
            chain = [first, *ctx.http.follow(first)]
            final = chain[-1]
            reaches_https = final.url.startswith("https://") or (
                final.is_redirect and (final.location or "").startswith("https://"))
            to_http.append((probe, first, reaches_https))
        origin = ctx.target.origin("http")
        if dead:
            locations = sorted({r.location or "" for _, r, _ in dead})
            yield self.finding(
                "redirect-to-dead-https",
                "Redirect to an HTTPS address that does not answer",
                severity=Severity.HIGH,
                description=(
                    f"{origin} redirects {', '.join(p.path for p, _, _ in dead)} to "
                    f"{', '.join(locations)}, which does not answer over TLS ({dead[0][2]}): "
                    "no client can follow the redirect, so the API is only usable over "
                    "cleartext http://. Redirect to the port that serves HTTPS."
                ),
                remediation=REMEDIATION,
                exchange=dead[0][1].exchange,
                url=origin,
                data={"paths": [p.path for p, _, _ in dead], "locations": locations},
            )
        if to_http:
            never = [p for p, _, reached in to_http if not reached]
            yield self.finding(
                "redirect-to-http",
                "Redirect to cleartext HTTP",
                severity=Severity.HIGH if never else Severity.MEDIUM,
                description=(
                    f"{origin} answers {', '.join(p.path for p, _, _ in to_http)} with a "
                    "redirect to another http:// URL"
                    + (", and the chain never reaches HTTPS: the API is served in cleartext."
                       if never else "; each extra cleartext hop repeats a preemptively sent "
                       "credential and can be rewritten by an attacker.")
                ),
                remediation=REMEDIATION,
                exchange=to_http[0][1].exchange,
                url=origin,
                data={"paths": [p.path for p, _, _ in to_http], "never_https": len(never) > 0},
            )
        if off_host:
            cleartext = [loc for _, _, loc in off_host if loc.startswith("http://")]
            hosts = sorted({urlsplit(loc).netloc for _, _, loc in off_host})
            yield self.finding(
                "redirect-off-host",
                "HTTPS redirect to another host",
                severity=Severity.HIGH if cleartext else Severity.MEDIUM,
                description=(
                    f"{origin} redirects to another host ({', '.join(hosts)}) instead of "
                    f"https://{ctx.target.host}. Clients repeat the request there (some, like "
                    "`curl --location-trusted` or SDKs with redirect auth, with their "
                    "credentials), and never learn the API's own HSTS policy"
                    + ("; the new location is cleartext http:// too." if cleartext else ".")
                ),
                remediation=REMEDIATION,
                exchange=off_host[0][1].exchange,
                url=origin,
                data={"paths": [p.path for p, _, _ in off_host], "locations": hosts},
            )
        if temporary:
            statuses = sorted({r.status for _, r in temporary})
            yield self.finding(
                "redirect-not-permanent",
                "HTTPS redirect is not permanent",
                severity=Severity.LOW,
                description=(
                    f"{origin} redirects with {', '.join(map(str, statuses))} instead of 301/308: "
                    "clients and caches do not remember it, so every new session starts over "
                    "cleartext (with a preemptive credential, if the client sends one)."
                ),
                remediation=REMEDIATION,
                exchange=temporary[0][1].exchange,
                url=origin,
                data={"paths": [p.path for p, _ in temporary],
                      "statuses": [str(s) for s in statuses]},
            )
