"""Unsafe consumption of fetched content: does the API trust what a third party sends back?

Applies where the API fetched the scan's callback URL (the probe the SSRF check shares). The
callback server then plays a hostile third party, one token per probe, for up to 2 inputs:

- HTML with a `<script>` tag and template syntax `{{1337*7331}}`: the tag in the API's answer
  unescaped means fetched content is reflected unsanitized (medium in an HTML answer, low in
  JSON); 9801647 means the API rendered it as a template (high);
- JSON with an extra field `apivigil_injected`: the field as a *key* of the API's answer means
  fetched JSON is merged without validation (medium);
- a redirect to an internal address of the callback server: a request for the redirect's own
  token there means redirects are followed to internal addresses (high);
- a body that trickles in for 4 s: the API holding its answer that long has no time limit on
  third-party calls (medium); a 32 MiB body read to the end: no size limit (medium). Both are
  served as the content type the API accepted (a 2xx answer) among the JSON, HTML and marker
  answers (JSON when none), and the huge one without a Content-Length: an API that refuses by
  content type or announced length alone must not pass for limits it does not have;
- and the fetch itself went over plain http:// (low).

Passive, no traffic: see `webhooks.py`. When no callback can reach the scanner, the check ends
skipped (not tested); when the API refuses the callback URL, it completes (there is nothing of
ours it consumes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.common import is_success
from apivigil.checks.ssrf.urlinputs import UrlInput, callback_probe, try_send, url_inputs
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Owasp,
    Remediation,
    Severity,
)
from apivigil.http.callback import CallbackServer, Reply
from apivigil.remediation import examples

PRODUCT = str(1337 * 7331)
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"  # the shared callback probe's marker
# what the slow and huge answers hold, in the content type the API accepted
LIMIT_BODIES = {JSON_TYPE: b'{"apivigil": "limits"}', HTML_TYPE: b"<p>apivigil</p>",
                TEXT_TYPE: b"apivigil"}
SLOW_SECONDS = 4.0
HUGE_BYTES = 32 * 1024 * 1024
INJECTED_KEY = "apivigil_injected"

_FIX = Remediation(
    summary="Treat every third-party answer as untrusted input: validate it against a schema "
    "and keep only the fields you expect, escape it before rendering, never render it as a "
    "template, follow no redirects (or re-check each hop against the allow-list), insist on "
    "https, and bound every call by a timeout and a size limit.",
    examples=examples("untrusted-content"),
    references=("https://owasp.org/API-Security/editions/2023/en/"
                "0xaa-unsafe-consumption-of-apis/",),
)


class FetchedContent(Check):
    meta = CheckMeta(
        id="unsafe_consumption.fetched-content",
        title="Fetched third-party content is trusted (reflection, templates, JSON, limits)",
        category=Category.UNSAFE_CONSUMPTION,
        cwe=(20, 79, 1336, 400, 319),
        owasp=(Owasp.API10,),
        severity=Severity.HIGH,
        sends="where the API fetches the callback URL: up to 5 GETs per input (2 inputs; JSON "
        "body fields only with --allow-unsafe-methods), each pointing it at hostile content on "
        "the scan's callback server (HTML, JSON, a redirect, a slow and a 32 MiB body)",
        uses_callbacks=True,
        phase=PHASE_PROBES,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        reason = super().applies_to(ctx) or (
            None if url_inputs(ctx) else "no URL-taking input (format uri/url, a URL-like "
            "name or value) in the target's operations")
        if reason is None and (ctx.callbacks is None
                               or not ctx.callbacks.reachable_from(ctx.target.host)):
            # Every judgement here needs the target to reach us: not tested, never clean.
            reason = ("the callback listener cannot be reached from the target (pass "
                      "--callback-listen HOST:PORT and --callback-url URL)")
        return reason

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        callbacks = ctx.callbacks
        assert callbacks is not None
        fetchers: list[tuple[UrlInput, list[str]]] = []
        for item in url_inputs(ctx):
            shared = callback_probe(ctx, item)
            if shared is not None and callbacks.interactions(shared[0].token):
                fetchers.append((item, [TEXT_TYPE] if shared[1] and is_success(shared[1])
                                 else []))
                hit = callbacks.interactions(shared[0].token)[0]
                if shared[0].url.startswith("http://"):
                    yield self.finding(
                        "cleartext-fetch",
                        "Third-party content is fetched over plain http://",
                        severity=Severity.LOW,
                        confidence=Confidence.MEDIUM,
                        description=(f"{item.operation} fetched {shared[0].url} given in "
                                     f"{item.label} over cleartext HTTP: anyone on the path "
                                     "can change what the API consumes."),
                        remediation=_FIX,
                        exchange=shared[1].exchange if shared[1] else None,
                        path=item.endpoint.path, parameter=item.label, cwe=(319,),
                        data={"callback_method": hit.method, "token": shared[0].token},
                    )
        for item, accepted in fetchers[:2]:
            yield from self._hostile(ctx, callbacks, item, accepted)

    def _hostile(self, ctx: ScanContext, callbacks: CallbackServer, item: UrlInput,
                 accepted: list[str]) -> Iterator[Finding]:
        """`accepted`: the content types the API answered 2xx to, after fetching them."""
        html = callbacks.issue(item.operation, item.label, Reply(
            kind="html", content_type=HTML_TYPE))
        page = (f"<p>apivigil</p><script>apivigil_{html.token}()</script>"
                f"<b>{{{{1337*7331}}}}</b>").encode()
        callbacks.set_reply(html.token, Reply(kind="html", body=page, content_type=HTML_TYPE))
        answer = try_send(ctx, item, html.url)
        if answer is not None and callbacks.interactions(html.token):
            if is_success(answer):
                accepted.append(HTML_TYPE)
            if PRODUCT in answer.text:
                yield self.finding(
                    "template-evaluated", "Fetched content is rendered as a template",
                    severity=Severity.HIGH, exchange=answer.exchange, cwe=(1336, 94),
                    description=(f"{item.operation} fetched an HTML page holding "
                                 f"{{{{1337*7331}}}} and answered {PRODUCT}: it renders "
                                 "third-party content as a template (server-side template "
                                 "injection through a consumed API)."),
                    remediation=_FIX, path=item.endpoint.path, parameter=item.label,
                    data={"token": html.token})
            if f"<script>apivigil_{html.token}()" in answer.text:
                in_html = "html" in answer.headers.get("content-type", "")
                yield self.finding(
                    "reflected-content", "Fetched HTML is reflected unsanitized",
                    severity=Severity.MEDIUM if in_html else Severity.LOW,
                    exchange=answer.exchange, cwe=(79,),
                    description=(f"{item.operation} copied a <script> tag from the fetched "
                                 f"page into its {'HTML ' if in_html else ''}answer unescaped: "
                                 "third-party content reaches clients as markup."),
                    remediation=_FIX, path=item.endpoint.path, parameter=item.label,
                    data={"token": html.token})
        yield from self._json(ctx, callbacks, item, accepted)
        yield from self._redirect(ctx, callbacks, item)
        # what the API expects: refusing a type before reading is no time or size limit
        kind = next((k for k in (JSON_TYPE, HTML_TYPE, TEXT_TYPE) if k in accepted), JSON_TYPE)
        yield from self._limits(ctx, callbacks, item, kind)

    def _json(self, ctx: ScanContext, callbacks: CallbackServer, item: UrlInput,
              accepted: list[str]) -> Iterator[Finding]:
        probe = callbacks.issue(item.operation, item.label)
        body = json.dumps({INJECTED_KEY: probe.token, "is_admin": True}).encode()
        callbacks.set_reply(probe.token, Reply(kind="json", body=body, content_type=JSON_TYPE))
        answer = try_send(ctx, item, probe.url)
        if answer is None or not callbacks.interactions(probe.token):
            return
        if is_success(answer):
            accepted.append(JSON_TYPE)
        try:
            parsed = json.loads(answer.text)
        except ValueError:
            return
        if _has_key(parsed, INJECTED_KEY, probe.token):
            yield self.finding(
                "json-trusted", "Fetched JSON is merged into the answer without validation",
                severity=Severity.MEDIUM, exchange=answer.exchange, cwe=(20, 915),
                description=(f"{item.operation} fetched JSON with an extra field "
                             f"{INJECTED_KEY!r} (and is_admin: true) and its answer carries "
                             "that field: third-party data is trusted blindly, so whoever "
                             "controls (or intercepts) the third party sets fields the API "
                             "never meant to take."),
                remediation=_FIX, path=item.endpoint.path, parameter=item.label,
                data={"token": probe.token})

    def _redirect(self, ctx: ScanContext, callbacks: CallbackServer,
                  item: UrlInput) -> Iterator[Finding]:
        landing = callbacks.issue(item.operation, item.label)
        internal = callbacks.on_loopback
        location = callbacks.internal_location(landing.token) if internal else landing.url
        probe = callbacks.issue(item.operation, item.label,
                                Reply(kind="redirect", location=location))
        answer = try_send(ctx, item, probe.url)
        if callbacks.interactions(probe.token) and callbacks.interactions(landing.token):
            yield self.finding(
                "redirect-followed",
                "Redirects from a third party are followed" +
                (" to internal addresses" if internal else ""),
                severity=Severity.HIGH if internal else Severity.MEDIUM,
                exchange=answer.exchange if answer else None, cwe=(918, 601),
                description=(f"{item.operation} fetched {probe.url}, which redirected to "
                             f"{location}, and the API followed it. An allow-list checked "
                             "only on the first URL is bypassed this way."),
                remediation=_FIX, path=item.endpoint.path, parameter=item.label,
                data={"location": location, "token": probe.token})

    def _limits(self, ctx: ScanContext, callbacks: CallbackServer, item: UrlInput,
                kind: str) -> Iterator[Finding]:
        seconds = min(SLOW_SECONDS, ctx.options.timeout - 1.0)
        if seconds >= 2.0:
            slow = callbacks.issue(item.operation, item.label, Reply(
                kind="slow", seconds=seconds, body=LIMIT_BODIES[kind], content_type=kind))
            answer = try_send(ctx, item, slow.url)
            _, complete = callbacks.delivery(slow.token)
            if answer is not None and complete and answer.elapsed_s >= seconds * 0.9:
                yield self.finding(
                    "no-time-limit", "Third-party calls have no time limit",
                    severity=Severity.MEDIUM, confidence=Confidence.MEDIUM,
                    exchange=answer.exchange, cwe=(400,),
                    owasp=(Owasp.API10, Owasp.API4),
                    description=(f"{item.operation} waited {answer.elapsed_s:.1f} s for a "
                                 f"third party that trickled its answer over {seconds:g} s: a "
                                 "slow partner (or an attacker's URL) ties up the API's "
                                 "workers."),
                    remediation=_FIX, path=item.endpoint.path, parameter=item.label,
                    data={"elapsed_s": round(answer.elapsed_s, 2), "trickle_s": seconds})
        huge = callbacks.issue(item.operation, item.label, Reply(
            kind="huge", size=HUGE_BYTES, body=LIMIT_BODIES[kind], content_type=kind))
        answer = try_send(ctx, item, huge.url)
        written, complete = callbacks.delivery(huge.token)
        if complete:
            yield self.finding(
                "no-size-limit", "Third-party answers have no size limit",
                severity=Severity.MEDIUM, confidence=Confidence.MEDIUM,
                exchange=answer.exchange if answer else None, cwe=(400, 770),
                owasp=(Owasp.API10, Owasp.API4),
                description=(f"{item.operation} read a {written // 2**20} MiB answer from a "
                             "third party to the end: a huge answer exhausts the API's "
                             "memory."),
                remediation=_FIX, path=item.endpoint.path, parameter=item.label,
                data={"bytes_read": written})


def _has_key(value: Any, key: str, token: str) -> bool:
    """Whether `key` with `token` as its value is an object key anywhere in `value`."""
    if isinstance(value, dict):
        if value.get(key) == token:
            return True
        return any(_has_key(v, key, token) for v in value.values())
    if isinstance(value, list):
        return any(_has_key(v, key, token) for v in value)
    return False
