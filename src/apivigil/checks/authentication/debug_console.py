"""Debug consoles and debug error pages reachable: remote code execution, or a map of the code.

A development server left in debug mode skips authentication altogether: the Werkzeug
debugger's console (`/console`, `DebuggedApplication(evalex=True)` or `app.run(debug=True)`)
runs Python on the server — its PIN is printed on the server's console and can be derived or
guessed, so reachability alone is critical. The debugger also serves its script
(`?__debugger__=yes&cmd=resource&f=debugger.js`) whenever it wraps the app, which shows that any
exception will render an interactive traceback.

Sends only safe GETs and never executes anything: `/console`, the debugger resource, and one
random path that does not exist (Django's DEBUG 404 page, Express and framework stack traces);
it also reads the shared anonymous baselines of up to 10 endpoints. Rules:

* `werkzeug-console` (critical): the interactive console page is served;
* `werkzeug-debugger` (critical with EVALEX, else high): the debugger wraps the application;
* `debug-error-page` (high for Django/Starlette/FastAPI debug pages, medium for a bare stack
  trace from Express, Node.js, Python or Java): a debug page or stack trace is served.

The debugger's per-process `SECRET` is masked in the evidence. Sends 3 requests.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

from apivigil.checks.authentication.probing import REFERENCES, debug_signature
from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.common import probe_endpoints
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity
from apivigil.http.client import ProbeResponse
from apivigil.remediation import examples

_WERKZEUG_PAGE = re.compile(r"Werkzeug Debugger|var CONSOLE_MODE\s*=", re.IGNORECASE)
_CONSOLE = re.compile(r"CONSOLE_MODE\s*=\s*true", re.IGNORECASE)
_EVALEX = re.compile(r"EVALEX\s*=\s*true", re.IGNORECASE)
_DEBUGGER_JS = re.compile(r"__debugger__")
_SECRET = re.compile(r'(SECRET\s*=\s*")[^"]*(")')
_HIGH_PAGES = frozenset({"Werkzeug debugger", "Django debug page",
                         "Starlette/FastAPI debug traceback"})

REMEDIATION = Remediation(
    summary=(
        "Never run a debug server or debug mode in production: serve the app with a "
        "production WSGI server (gunicorn, uWSGI) with debug off, and return generic error "
        "pages. Treat a host that exposed the Werkzeug console as compromised."
    ),
    examples=examples("debug-off"),
    references=(
        *REFERENCES,
        "https://werkzeug.palletsprojects.com/en/stable/debug/",
        "https://cwe.mitre.org/data/definitions/489.html",
    ),
)


class DebugConsole(Check):
    meta = CheckMeta(
        id="authentication.debug-console",
        title="Debug console or debug error page reachable",
        category=Category.AUTHENTICATION,
        cwe=(489, 215, 94),
        owasp=(Owasp.API8, Owasp.API2),
        severity=Severity.CRITICAL,
        sends="3 GETs: /console, the Werkzeug debugger's script and one random missing path; "
        "reads the shared anonymous baselines",
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        # The debugger serves /console at the root of the application it wraps; the target
        # URL may name an endpoint, so probe the origin.
        root = ctx.target.origin(ctx.target.scheme)
        console = self._get(ctx, root + "/console")
        if console is not None and console.status == 200 and _WERKZEUG_PAGE.search(
                console.text) and _CONSOLE.search(console.text):
            yield self._masked(self.finding(
                "werkzeug-console",
                "Werkzeug debugger console reachable",
                severity=Severity.CRITICAL,
                description=(
                    "GET /console serves the Werkzeug debugger's interactive Python console: "
                    "whoever unlocks it (the PIN is derivable from host facts or guessable) "
                    "runs code on the server. This is remote code execution."
                ),
                remediation=REMEDIATION,
                exchange=console.exchange,
                path="/console",
                cwe=(489, 94),
                data={"pin_prompt": "pin-prompt" in console.text,
                      "evalex": bool(_EVALEX.search(console.text))},
            ))
            return
        script = self._get(ctx, root + "/?__debugger__=yes&cmd=resource&f=debugger.js")
        if script is not None and script.status == 200 and _DEBUGGER_JS.search(
                script.text) and "javascript" in script.headers.get("content-type", ""):
            yield self.finding(
                "werkzeug-debugger",
                "Werkzeug debugger enabled",
                severity=Severity.HIGH,
                description=(
                    "The Werkzeug debugger wraps the application (it serves its own script): "
                    "any exception renders a traceback with source code, and with EVALEX an "
                    "interactive console in the page."
                ),
                remediation=REMEDIATION,
                exchange=script.exchange,
                path="/",
                parameter="__debugger__",
            )
            return
        yield from self._error_pages(ctx, root)

    def _error_pages(self, ctx: ScanContext, root: str) -> Iterator[Finding]:
        responses: list[ProbeResponse] = []
        missing = self._get(ctx, f"{root}/apivigil-missing-{secrets.token_hex(4)}")
        if missing is not None:
            responses.append(missing)
        for endpoint in probe_endpoints(ctx, limit=10):
            try:
                responses.append(ctx.baseline(endpoint))
            except ProbeError:
                continue
        for response in responses:
            page = debug_signature(response.text)
            if page is None:
                continue
            werkzeug = page == "Werkzeug debugger"
            severity = (Severity.CRITICAL if werkzeug and _EVALEX.search(response.text)
                        else Severity.HIGH if page in _HIGH_PAGES else Severity.MEDIUM)
            yield self._masked(self.finding(
                "werkzeug-debugger" if werkzeug else "debug-error-page",
                f"{page} served",
                severity=severity,
                description=(
                    f"GET {response.exchange.url} answered HTTP {response.status} with a "
                    f"{page}: it shows source code, paths and configuration to anyone, and "
                    "means the application runs in debug mode."
                ),
                remediation=REMEDIATION,
                exchange=response.exchange,
                data={"page": page, "status": response.status},
            ))
            return

    @staticmethod
    def _get(ctx: ScanContext, url: str) -> ProbeResponse | None:
        try:
            return ctx.http.get(url, use_extra_headers=False)
        except ProbeError:
            return None

    @staticmethod
    def _masked(finding: Finding) -> Finding:
        """Mask the debugger's SECRET: it authenticates console commands."""
        evidence = finding.evidence
        if evidence.response is None:
            return finding
        masked = _SECRET.sub(r"\1[REDACTED]\2", evidence.response)
        return finding.model_copy(
            update={"evidence": evidence.model_copy(update={"response": masked})})
