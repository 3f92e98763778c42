"""Server-side request forgery: the API fetches a URL an attacker chooses (OWASP API7).

For each URL-taking input (up to 4: `ssrf.urlinputs` finds them) the check sends:

1. a control URL on a reserved domain that can never resolve (`*.invalid`), to learn how the
   API answers a URL it cannot fetch;
2. the URL of the scan's own callback server with a token issued for this input only: a
   request arriving with that token *proves* the API fetched it (high). The callback server
   listens on loopback unless `--callback-listen`/`--callback-url` say otherwise, so for a
   target on the same machine the fetch is also a fetch of an internal address;
3. when that was refused and the callback server is on loopback: the same server spelled as
   internal-address variants a text filter often misses (decimal `2130706433`, hex `0x7f000001`,
   IPv4-mapped `[::ffff:127.0.0.1]`, `[::1]`), each with its own token (a fetch = filter
   bypass, high);
4. the cloud metadata address `169.254.169.254`: judged by content (instance-id, ami-id,
   security-credentials... in the answer and not in the control's) (critical);
5. a closed port on `127.0.0.1`: an answer with connection-refused text that the control's
   answer does not have shows the API connected to an internal address (medium);
6. `file:///etc/passwd` (a passwd line in the answer: local file read, critical) and
   `gopher://`: fetcher error text that names the scheme shows the URL reached a fetcher with
   no scheme allow-list (low).

Query inputs are sent with GET; JSON body fields only with `--allow-unsafe-methods`. Callbacks
that arrive late are awaited once at the end, at most `callback_wait` seconds (default 2, never
more than 2.5) and only when the API accepted a callback URL without fetching it at once. When no
callback can reach the scanner (a remote target and a loopback listener) and nothing else was
proven, the check ends inconclusive, never clean.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext, Setting
from apivigil.checks.common import mark_inconclusive
from apivigil.checks.ssrf.urlinputs import UrlInput, callback_probe, try_send, url_inputs
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.http.callback import MAX_WAIT_S, CallbackProbe
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

METADATA_URL = "http://169.254.169.254/latest/meta-data/"
CLOSED_PORT_URL = "http://127.0.0.1:1/"
FILE_URL = "file:///etc/passwd"
METADATA_SIGNS = re.compile(
    r"ami-id|instance-id|local-ipv4|security-credentials|iam/info|computeMetadata|"
    r"\"compute\"\s*:\s*\{|metadata\.google\.internal|instance-type", re.IGNORECASE)
REFUSED_SIGNS = re.compile(
    r"connection refused|errno 111|econnrefused|actively refused|failed to establish a new "
    r"connection|couldn't connect to server|connect\(\) failed|\[errno 99\]|"
    r"cannot assign requested address", re.IGNORECASE)
PASSWD_LINE = re.compile(r"root:[^:\n]*:0:0:")
SCHEME_SIGNS = re.compile(
    r"unknown url type|unsupported (url )?(scheme|protocol)|no connection adapters|"
    r"protocol \W?(gopher|file)\W? not supported|unsupported protocol scheme|"
    r"invalid url scheme|url scheme .{0,20}not (supported|allowed)|"
    r"missing an 'http://' or 'https://' protocol", re.IGNORECASE)

_FIX = Remediation(
    summary="Fetch only from an allow-list of hosts you trust, over https only; resolve the "
    "host and refuse private, loopback, link-local and metadata addresses (after every "
    "redirect, or follow none); never return the fetched body or the fetcher's errors.",
    examples=examples("ssrf-allow-list"),
    references=("https://owasp.org/API-Security/editions/2023/en/0xa7-server-side-request-forgery/",
                "https://cheatsheetseries.owasp.org/cheatsheets/"
                "Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html"),
)


@dataclass
class _Probed:
    """What one input answered: the control, and the callback probe."""

    item: UrlInput
    control: ProbeResponse | None = None
    callback: CallbackProbe | None = None
    callback_response: ProbeResponse | None = None


class ServerSideRequestForgery(Check):
    meta = CheckMeta(
        id="ssrf.server-side-request-forgery",
        title="Server-side request forgery (the API fetches attacker-chosen URLs)",
        category=Category.SSRF,
        cwe=(918,),
        owasp=(Owasp.API7,),
        severity=Severity.CRITICAL,
        sends="for up to 4 URL-taking inputs: a GET (JSON body fields: with "
        "--allow-unsafe-methods) with a control URL, the scan's callback URL, internal-address "
        "variants of it, the cloud metadata URL, a closed loopback port, file:// and gopher:// "
        "(at most 11 requests per input); the callback server only answers",
        uses_callbacks=True,
        phase=PHASE_PROBES,
        settings=(Setting(
            "callback_wait", "float", 2.0,
            "seconds to wait for late out-of-band callbacks",
            minimum=0,
            maximum=MAX_WAIT_S,
        ),),
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        return super().applies_to(ctx) or (
            None if url_inputs(ctx) else "no URL-taking input (format uri/url, a URL-like "
            "name or value) in the target's operations")

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        inputs = url_inputs(ctx)
        callbacks = ctx.callbacks
        reachable = callbacks is not None and callbacks.reachable_from(ctx.target.host)
        pending: list[_Probed] = []
        found_any = False
        for item in inputs:
            probed = _Probed(item)
            probed.control = try_send(ctx, item,
                                      f"http://apivigil-{secrets.token_hex(4)}.invalid/")
            shared = callback_probe(ctx, item)
            if callbacks is not None and shared is not None:
                probed.callback, probed.callback_response = shared
                if callbacks.interactions(probed.callback.token):
                    found_any = True
                    yield self._fetched(ctx, probed)
                else:
                    bypass = self._variants(ctx, probed)
                    if bypass is not None:
                        found_any = True
                        yield bypass
                    elif probed.callback_response is not None \
                            and 200 <= probed.callback_response.status < 300:
                        pending.append(probed)
            for finding in self._content_probes(ctx, probed):
                found_any = True
                yield finding
        if pending and callbacks is not None:
            wait = min(float(ctx.options.setting("callback_wait", 2.0)), MAX_WAIT_S)
            tokens = {p.callback.token for p in pending if p.callback is not None}
            seen = callbacks.wait_for(tokens, wait)
            for probed in pending:
                if probed.callback is not None and probed.callback.token in seen:
                    found_any = True
                    yield self._fetched(ctx, probed, late=True)
        if not reachable and not found_any:
            mark_inconclusive(ctx, "no callback can reach the scanner, so a fetch could not be "
                              "proven (pass --callback-listen and --callback-url)")

    # -- callback probes ------------------------------------------------------------------

    def _fetched(self, ctx: ScanContext, probed: _Probed, late: bool = False) -> Finding:
        assert ctx.callbacks is not None and probed.callback is not None
        hit = ctx.callbacks.interactions(probed.callback.token)[0]
        item = probed.item
        internal = ctx.callbacks.on_loopback
        where = "an internal (loopback) address of the scanner's callback server" if internal \
            else "the scanner's callback server"
        return self.finding(
            "callback-fetched",
            "The API fetches URLs an attacker chooses (SSRF)",
            severity=Severity.HIGH,
            description=(f"{item.operation} with {item.label} set to {probed.callback.url} made "
                         f"the server send {hit.method} {hit.path} to {where}"
                         f"{' (after the answer: the fetch is asynchronous)' if late else ''}. "
                         "Whoever can call this operation can make the server reach internal "
                         "services, cloud metadata and other hosts on its network."),
            remediation=_FIX,
            exchange=probed.callback_response.exchange if probed.callback_response else None,
            summary=f"the callback server received {hit.method} {hit.path} from {hit.peer} "
                    f"(User-Agent {hit.user_agent!r}) for the token sent in {item.label}",
            path=item.endpoint.path,
            parameter=item.label,
            data={"token": probed.callback.token, "callback_method": hit.method,
                  "callback_peer": hit.peer, "user_agent": hit.user_agent,
                  "late": late},
        )

    def _variants(self, ctx: ScanContext, probed: _Probed) -> Finding | None:
        """The callback was refused: do internal-address spellings get past the filter?"""
        callbacks = ctx.callbacks
        if callbacks is None:
            return None
        item = probed.item
        for kind in ("decimal", "hex", "ipv4-mapped", "ipv6"):
            probe = callbacks.issue(item.operation, item.label)
            variant = callbacks.loopback_variants(probe.token).get(kind)
            if variant is None:
                continue
            response = try_send(ctx, item, variant)
            if callbacks.interactions(probe.token):
                return self.finding(
                    "filter-bypass",
                    "An internal address written differently gets past the URL filter (SSRF)",
                    severity=Severity.HIGH,
                    description=(f"{item.operation} refused the callback URL in {item.label} "
                                 f"but fetched {variant} ({kind} form of 127.0.0.1). The filter "
                                 "compares text; the fetcher resolves addresses."),
                    remediation=_FIX,
                    exchange=response.exchange if response else None,
                    path=item.endpoint.path,
                    parameter=item.label,
                    data={"variant": kind, "url": variant, "token": probe.token},
                )
        return None

    # -- content-judged probes ------------------------------------------------------------

    def _content_probes(self, ctx: ScanContext, probed: _Probed) -> Iterator[Finding]:
        item = probed.item
        control = probed.control.text if probed.control is not None else ""
        metadata = try_send(ctx, item, METADATA_URL)
        sign = _new_sign(METADATA_SIGNS, metadata, control)
        if metadata is not None and sign is not None:
            yield self._answered(
                item, METADATA_URL, metadata, "cloud-metadata",
                "The API fetches the cloud metadata service (SSRF)", Severity.CRITICAL,
                f"{item.operation} with {item.label} = {METADATA_URL} answered with instance "
                f"metadata ({sign.group(0)!r}). Metadata endpoints hand out cloud credentials.")
        closed = try_send(ctx, item, CLOSED_PORT_URL)
        sign = _new_sign(REFUSED_SIGNS, closed, control)
        if closed is not None and sign is not None:
            yield self._answered(
                item, CLOSED_PORT_URL, closed, "internal-connection",
                "The API connects to internal addresses on request (SSRF)", Severity.MEDIUM,
                f"{item.operation} with {item.label} = {CLOSED_PORT_URL} answered with a "
                f"connection error ({sign.group(0)!r}) that the unresolvable control URL does "
                "not produce: the server tried to connect to its own loopback. The difference "
                "lets an attacker map internal ports.", Confidence.MEDIUM)
        yield from self._scheme_probes(ctx, item, control)

    def _scheme_probes(self, ctx: ScanContext, item: UrlInput,
                       control: str) -> Iterator[Finding]:
        port = ctx.callbacks.port if ctx.callbacks is not None else 70
        for url in (FILE_URL, f"gopher://127.0.0.1:{port}/_apivigil"):
            response = try_send(ctx, item, url)
            if response is None:
                continue
            if url == FILE_URL and _new_sign(PASSWD_LINE, response, control) is not None:
                yield self._answered(
                    item, url, response, "file-read",
                    "The API reads local files through file:// URLs (SSRF)", Severity.CRITICAL,
                    f"{item.operation} with {item.label} = {FILE_URL} answered with the "
                    "server's /etc/passwd: the fetcher accepts file:// URLs.")
                return
            sign = _new_sign(SCHEME_SIGNS, response, control)
            if sign is not None:
                yield self._answered(
                    item, url, response, "scheme-not-restricted",
                    "URLs reach a fetcher without a scheme allow-list", Severity.LOW,
                    f"{item.operation} with {item.label} = {url} answered with fetcher error "
                    f"text ({sign.group(0)!r}) that names the scheme: the URL was handed to a "
                    "fetcher instead of being refused up front (file://, gopher:// and the "
                    "like reach local files and internal services).", Confidence.MEDIUM)
                return

    def _answered(self, item: UrlInput, url: str, response: ProbeResponse, rule: str,
                  title: str, severity: Severity, description: str,
                  confidence: Confidence = Confidence.HIGH) -> Finding:
        """A finding proven by what the API answered when given `url` in the input."""
        return self.finding(
            rule, title, severity=severity, confidence=confidence, description=description,
            remediation=_FIX, exchange=response.exchange, path=item.endpoint.path,
            parameter=item.label, data={"url": url, "status": response.status})


def _new_sign(pattern: re.Pattern[str], response: ProbeResponse | None,
              control: str) -> re.Match[str] | None:
    """The pattern's match in the answer, when the control URL's answer has none (so the
    text comes from what the probe URL made the server do, not from the page itself)."""
    if response is None or pattern.search(control):
        return None
    return pattern.search(response.text)
