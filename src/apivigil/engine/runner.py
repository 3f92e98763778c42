"""Plan and run one scan: preflight, checks in phases, and the immutable report.

The engine owns everything that is not a check's own judgement: building the target and the
probe client, loading the spec, verifying the target is reachable and the credentials work,
running checks concurrently within a phase, turning a crash into an `error` outcome, and
scoring. It emits events so the terminal can show progress without the engine knowing it.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import groupby
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from apivigil.checks.base import Check, CheckHttp, ScanContext, SharedCache
from apivigil.checks.target import Endpoint, Target
from apivigil.core.config import Credentials, Identity, ScanOptions
from apivigil.core.errors import (
    BudgetExhaustedError,
    ProbeError,
    ScanError,
)
from apivigil.core.models import (
    CheckOutcome,
    Finding,
    OperationStatus,
    OutcomeStatus,
    Report,
)
from apivigil.core.redaction import Redactor, is_secret_header
from apivigil.engine.coverage import operation_statuses
from apivigil.engine.events import CheckFinished, CheckStarted, Listener, Notice, ScanStarted
from apivigil.engine.events import ignore as ignore_events
from apivigil.engine.framework import recognise
from apivigil.engine.report import build_report
from apivigil.http.client import ClientLimits, ProbeClient, TlsSettings
from apivigil.spec.model import ApiSpec

if TYPE_CHECKING:  # imported where used: a scan's first request should not wait for them
    from apivigil.checks.registry import Registry
    from apivigil.http.callback import CallbackServer
    from apivigil.http.login import LoginFlow

SEQUENTIAL_PHASE = 10  # checks in this phase or later run one at a time (timing, throttling)
log = logging.getLogger("apivigil.engine")


def build_redactor(options: ScanOptions) -> Redactor:
    """Every supplied secret: Basic pairs, tokens, API keys, cookies and credential-like -H
    values (tokens issued by a login are added the moment they arrive, by the probe client)."""
    redactor = Redactor()
    if options.credentials:
        redactor.add_basic_credential(options.credentials.username, options.credentials.password)
    for identity in options.all_identities():
        if identity.credentials is not None:
            redactor.add_basic_credential(identity.credentials.username,
                                          identity.credentials.password)
        if identity.header is not None:  # an identity's header is a credential, whatever its name
            redactor.add(identity.header[1])
        if identity.secret is not None:
            redactor.add(identity.secret)
    for name, value in options.headers:
        if is_secret_header(name):
            redactor.add(value)
            scheme, _, token = value.partition(" ")
            if token and scheme.isalpha():
                redactor.add(token)
    return redactor


class Scanner:
    """One scan of one target. `run()` returns the report or raises `ApivigilError`."""

    def __init__(
        self,
        options: ScanOptions,
        *,
        listener: Listener = ignore_events,
        registry: Registry | None = None,
    ) -> None:
        self.options = options
        self.listener = listener
        self.registry = registry  # None: every installed check (loaded after the preflight)
        self.redactor = build_redactor(options)
        self.notices: list[str] = []
        self._sent_by: dict[str, list[tuple[str, str]]] = {}

    def run(self) -> Report:
        options = self.options
        started_at = datetime.now(UTC)
        target = Target.parse(options.url, options.http_port, options.https_port)
        selected: list[type[Check]] | None = None
        if self.registry is not None or options.checks or options.skip_checks:
            self.registry = self.registry or default_registry()
            # an unknown check name is a usage error before any traffic
            selected = self.registry.select(options.checks, options.skip_checks)
        client = ProbeClient(
            target.host,
            ClientLimits(
                max_requests=options.max_requests,
                rate=options.rate,
                concurrency=options.concurrency,
                timeout=options.timeout,
                max_duration=options.max_duration,
            ),
            TlsSettings(cacert=options.cacert, insecure=options.insecure),
            self.redactor,
            allow_cleartext_credentials=options.allow_cleartext_credentials,
            allow_unsafe_methods=options.allow_unsafe_methods,
            extra_headers=self._extra_headers(target),
        )
        callbacks: CallbackServer | None = None
        try:
            spec = self._load_spec(client) if options.spec else None
            if spec is not None:
                target = target.with_spec(spec)
            self._preflight(client, target)
            # Importing every check takes longer than the first request: it comes after it.
            registry = self.registry or default_registry()
            if selected is None:
                selected = registry.select(options.checks, options.skip_checks)
            for problem in registry.problems:
                self._notice(problem)
            if any(c.meta.uses_callbacks for c in selected):
                callbacks = self._callback_server(target)
            if spec is None and _enabled(options.setting("discover_spec", True)):
                spec = self._discover_spec(client, target)
                if spec is not None:
                    target = target.with_spec(spec)
            target = target.without(options.exclude)
            credentials, withheld, identities, flow = self._authenticate(client, target, spec)
            cache = SharedCache()
            self.listener(ScanStarted(target=self.redactor.text(target.url),
                                      checks=len(selected)))
            outcomes: list[CheckOutcome] = []
            findings: list[Finding] = []

            def context(http: CheckHttp) -> ScanContext:
                return ScanContext(target=target, options=options, http=http,
                                   redactor=self.redactor, cache=cache, spec=spec,
                                   credentials=credentials,
                                   credentials_withheld_reason=withheld,
                                   notices=self.notices, identities=identities, login=flow,
                                   callbacks=callbacks)

            ordered = sorted(selected, key=lambda c: c.meta.phase)
            for phase, group in groupby(ordered, key=lambda c: c.meta.phase):
                workers = 1 if phase >= SEQUENTIAL_PHASE else max(1, options.concurrency)
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    results = list(pool.map(
                        lambda c: self._run_check(c, client, context), group))
                for outcome, found in results:
                    outcomes.append(outcome)
                    findings.extend(found)
            from apivigil.engine.login import session_notices

            for line in session_notices(client):
                self._notice(line)
            operations = (operation_statuses(target, options, client.exchanges,
                                             self._sent_by, outcomes)
                          if spec or target.excluded else [])
            requests = client.requests_sent
            framework = recognise(((e.response_headers, e.response_excerpt)
                                   for e in client.exchanges if e.status is not None),
                                  spec.raw if spec else None)
        finally:
            client.close()
            if callbacks is not None:
                callbacks.close()
        report = self._report(target, started_at, findings, outcomes, operations, requests)
        return report.model_copy(update={"framework": framework})

    # -- preparation ----------------------------------------------------------------------

    def _callback_server(self, target: Target) -> CallbackServer:
        from apivigil.http.callback import CallbackServer, parse_listen

        """The scan's own callback listener: loopback on a free port unless told otherwise."""
        listen = parse_listen(self.options.callback_listen) if self.options.callback_listen \
            else ("127.0.0.1", 0)
        server = CallbackServer(listen, self.options.callback_url).start()
        if not server.reachable_from(target.host):
            self._notice(f"the callback listener ({server.base_url}) is on loopback and the "
                         f"target is not: out-of-band probes cannot be proven (pass "
                         "--callback-listen HOST:PORT and --callback-url URL)")
        return server

    def _load_spec(self, client: ProbeClient) -> ApiSpec:
        """--spec as a file or URL; external references only from the spec's own host."""
        from apivigil.engine.fetch import SpecFetcher
        from apivigil.spec.loader import load_spec

        source = self.options.spec or ""
        with SpecFetcher(source, client.ssl_context, self.options.timeout) as fetch:
            return load_spec(source, fetch)

    def _discover_spec(self, client: ProbeClient, target: Target) -> ApiSpec | None:
        """Look for a spec in the usual places (at most `DISCOVERY_PATHS` requests per base
        path); off with `--set discover_spec=false`."""
        from apivigil.spec.loader import build_spec, parse_document

        prefixes = dict.fromkeys([target.base_path, ""])
        for path in DISCOVERY_PATHS:
            for prefix in prefixes:
                url = target.origin(target.scheme) + prefix + path
                try:
                    response = client.get(url, use_extra_headers=False)
                except BudgetExhaustedError:
                    return None
                except ProbeError:
                    continue
                if response.status != 200 or response.truncated:
                    continue
                try:
                    document = parse_document(response.text, url)
                    spec = build_spec(document, url, discovered=True)
                except Exception as exc:  # best effort: whatever a target serves, scan on
                    log.debug("no usable spec at %s: %s", self.redactor.text(url), exc)
                    continue
                self._notice(f"no --spec given; using the OpenAPI {spec.version} spec found at "
                             f"{self.redactor.text(url)} ({len(spec.operations)} operations)")
                return spec
        return None

    def _preflight(self, client: ProbeClient, target: Target) -> None:
        """The target must answer at all; otherwise there is nothing to scan (exit 3)."""
        try:
            client.get(target.url, use_extra_headers=False)
        except ProbeError as exc:
            hint = ""
            if "certificate" in str(exc).lower():
                hint = " (pass --cacert FILE to trust its CA, or -k to scan anyway)"
            raise ScanError(f"cannot reach {self.redactor.text(target.url)}: "
                            f"{str(exc).split(': ', 1)[-1]}{hint}") from None

    def _extra_headers(self, target: Target) -> dict[str, str]:
        """The -H headers, less the credential-like ones when they would travel in clear."""
        headers = dict(self.options.headers)
        if target.is_https or self.options.allow_cleartext_credentials:
            return headers
        withheld = sorted(name for name in headers if is_secret_header(name))
        if withheld:
            self._notice(f"header(s) {', '.join(withheld)} withheld: the target is cleartext "
                         "http:// (scan the https:// URL, or pass "
                         "--allow-cleartext-credentials)")
        return {k: v for k, v in headers.items() if k not in withheld}

    def _authenticate(
        self, client: ProbeClient, target: Target, spec: ApiSpec | None
    ) -> tuple[Credentials | None, str | None, tuple[Identity, ...], LoginFlow | None]:
        """Log in, place API keys and verify every identity before trusting any result that
        used them; withhold them all (with a notice) from a cleartext target."""
        from apivigil.engine.login import log_in_identities, login_flow, place_api_key

        options = self.options
        flow = login_flow(options, target, spec, self._notice)
        if flow is not None:  # the named login takes POSTs (the authentication checks' too)
            client.login_urls.add(flow.url.split("?", 1)[0])
        identities = options.all_identities()
        if not identities:
            return None, None, (), flow
        if not target.is_https and not options.allow_cleartext_credentials:
            what = "credentials" if options.credentials or options.user_credential \
                else "identities"
            reason = (f"{what} withheld: the target is cleartext http:// "
                      "(scan the https:// URL, or pass --allow-cleartext-credentials)")
            if flow is not None:
                reason += f"; no login ({flow.label}) was attempted"
            self._notice(reason)
            return None, reason, (), flow
        identities = tuple(place_api_key(i, spec, self._notice) for i in identities)
        if flow is not None:
            identities = log_in_identities(client, flow, identities)
            for identity in identities:
                if identity.issued_by and identity.header:
                    self.redactor.add(identity.header[1])
                    self._notice(f"identity {identity.name!r} logged in with {flow.label} "
                                 f"({flow.source}): requests carry its {identity.kind}")
        probe = _credential_probe(target)
        for identity in identities:
            self._verify(client, probe, identity, supplied_by_u=identity is identities[0]
                         and (options.credentials is not None
                              or options.user_credential is not None))
        primary = identities[0]
        return (primary.credentials if primary.uses_basic else None), None, identities, flow

    def _verify(self, client: ProbeClient, probe: Endpoint, identity: Identity,
                *, supplied_by_u: bool) -> None:
        """One GET of a secured endpoint as `identity`: a 401 ends the scan (exit 3)."""
        who = "the supplied credentials" if supplied_by_u else f"identity {identity.name!r}"
        try:
            response = client.get(probe.url, headers=identity.auth_headers(),
                                  use_extra_headers=False)
        except ProbeError as exc:
            raise ScanError(f"could not verify {who}: {exc}") from None
        if response.status == 401:
            how = (f" with the {identity.kind} issued by {identity.issued_by}"
                   if identity.issued_by else "")
            verb, fix = ("were", "USER:PASSWORD") if supplied_by_u else ("was", "its credentials")
            raise ScanError(f"{who} {verb} rejected{how}: {probe.method} {probe.path} "
                            f"answered 401 (check {fix})")
        if response.status == 429:
            self._notice(f"the target throttled the check of {who} (429); results that need "
                         "credentials may be incomplete")

    # -- running --------------------------------------------------------------------------

    def _run_check(
        self,
        check_class: type[Check],
        client: ProbeClient,
        context: Callable[[CheckHttp], ScanContext],
    ) -> tuple[CheckOutcome, list[Finding]]:
        check = check_class()
        meta = check.meta
        http = CheckHttp(client)
        ctx = context(http)
        self.listener(CheckStarted(check=meta.id))
        started = time.perf_counter()
        found: list[Finding] = []
        status, reason = OutcomeStatus.COMPLETED, None
        skip = check.applies_to(ctx)
        if skip is not None:
            status, reason = OutcomeStatus.SKIPPED, skip
        else:
            try:
                for finding in check.run(ctx):
                    found.append(finding)
            except BudgetExhaustedError as exc:
                status, reason = OutcomeStatus.ERROR, f"stopped early: {exc}"
            except Exception as exc:
                status = OutcomeStatus.ERROR
                reason = self.redactor.text(f"{type(exc).__name__}: {exc}")
                log.debug("check %s crashed:\n%s", meta.id,
                          self.redactor.text(traceback.format_exc()))
        self._sent_by[meta.id] = http.requests
        outcome = CheckOutcome(
            check=meta.id, category=meta.category, status=status, reason=reason,
            findings=len(found), requests=http.sent,
            duration_s=round(time.perf_counter() - started, 3),
        )
        self.listener(CheckFinished(outcome=outcome))
        return outcome, found

    def _notice(self, message: str) -> None:
        self.notices.append(message)
        self.listener(Notice(message=message))

    # -- reporting ------------------------------------------------------------------------

    def _report(
        self,
        target: Target,
        started_at: datetime,
        findings: Iterable[Finding],
        outcomes: Sequence[CheckOutcome],
        operations: list[OperationStatus],
        requests: int,
    ) -> Report:
        return build_report(
            target=self.redactor.text(target.url),
            started_at=started_at,
            findings=(self._redacted(f) for f in findings),
            outcomes=outcomes,
            operations=operations,
            requests=requests,
            notices=[self.redactor.text(n) for n in self.notices],
        )

    def _redacted(self, finding: Finding) -> Finding:
        """Belt and braces: no secret survives into a finding, whatever a check put there."""
        text = finding.model_dump_json()
        if not self.redactor.contains_secret(text):
            return finding
        return Finding.model_validate_json(self.redactor.text(text))


def _credential_probe(target: Target) -> Endpoint:
    """A secured GET endpoint from the spec if there is one, else the URL as given."""
    secured = [e for e in target.concrete_endpoints() if e.declared_secured and e.method == "GET"]
    if secured:
        return secured[0]
    return Endpoint("GET", target.url, urlsplit(target.url).path or "/")


DISCOVERY_PATHS = ("/openapi.json", "/swagger.json", "/v3/api-docs", "/api-docs",
                   "/docs/openapi.json", "/openapi.yaml", "/swagger/v1/swagger.json")


def default_registry() -> Registry:
    """Every installed check (importing them all is the slowest part of a scan's start)."""
    from apivigil.checks.registry import REGISTRY

    return REGISTRY


def _enabled(value: object) -> bool:
    """A setting from --set: 0, false, no and off (any case) turn it off."""
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")




def scan(options: ScanOptions, listener: Listener = ignore_events) -> Report:
    """Run one scan: the library's entry point."""
    return Scanner(options, listener=listener).run()
