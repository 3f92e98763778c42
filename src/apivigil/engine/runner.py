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
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from itertools import groupby
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from apivigil.checks.base import (
    SEQUENTIAL_PHASE,
    Check,
    CheckCache,
    CheckHttp,
    CheckMeta,
    ScanContext,
    Setting,
    SharedCache,
)
from apivigil.checks.target import Endpoint, Target
from apivigil.core.config import QUERY_CREDENTIAL_HEADER, Credentials, Identity, ScanOptions
from apivigil.core.errors import (
    BudgetExhaustedError,
    InconclusiveError,
    NothingToTestError,
    ProbeError,
    ScanError,
    UsageError,
)
from apivigil.core.models import (
    CheckOutcome,
    Finding,
    OperationStatus,
    OutcomeStatus,
    Report,
    Severity,
)
from apivigil.core.redaction import Redactor, is_secret_header
from apivigil.engine.coverage import operation_statuses
from apivigil.engine.events import CheckFinished, CheckStarted, Listener, Notice, ScanStarted
from apivigil.engine.events import ignore as ignore_events
from apivigil.engine.framework import recognise
from apivigil.engine.report import build_report
from apivigil.http.client import CERTIFICATE_PROBLEM, ClientLimits, ProbeClient, TlsSettings
from apivigil.spec.model import ApiSpec

if TYPE_CHECKING:  # imported where used: a scan's first request should not wait for them
    from apivigil.checks.registry import Registry
    from apivigil.engine.fetch import SpecCredential
    from apivigil.http.callback import CallbackServer
    from apivigil.http.login import LoginFlow
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


# Settings of the engine itself, beside the ones checks declare.
ENGINE_SETTINGS = (
    Setting("discover_spec", "bool", True,
            "without --spec, look for an OpenAPI document in the usual places"),
)


def known_settings(registry: Registry | None = None) -> dict[str, Setting]:
    """Every setting `--set` accepts: the engine's and each check's."""
    checks = (registry or default_registry()).settings()
    return {**{s.name: s for s in ENGINE_SETTINGS}, **checks}


def resolve_settings(
    given: Mapping[str, object], registry: Registry | None = None
) -> dict[str, object]:
    """Every known setting with its typed value: the given one (checked) or its default.
    An unknown name or a bad value is a usage error (exit 2), so a typo never goes unnoticed."""
    known = known_settings(registry)
    for name in given:
        if name not in known:
            raise UsageError(f"unknown setting {name!r} for --set; known: "
                             f"{', '.join(sorted(known))} ('apivigil checks' describes them)")
    return {name: setting.parse(given[name]) if name in given else setting.default
            for name, setting in known.items()}


class Scanner:
    """One scan of one target. `run()` returns the report or raises `ApivigilError`."""

    def __init__(
        self,
        options: ScanOptions,
        *,
        listener: Listener = ignore_events,
        registry: Registry | None = None,
    ) -> None:
        if options.settings:  # checked before any traffic (checks default what is not given)
            registry = registry or default_registry()
            options = replace(options, settings=resolve_settings(options.settings, registry))
        self.options = options
        self.listener = listener
        self.registry = registry  # None: every installed check (loaded after the preflight)
        self.redactor = build_redactor(options)
        self.notices: list[str] = []
        self._untrusted: str | None = None  # why credentials are withheld from a bad certificate
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
        client = self._client(target, untrusted=False)
        callbacks: CallbackServer | None = None
        try:
            spec = self._load_spec(client, target) if options.spec else None
            if spec is not None:
                target = target.with_spec(spec)
            try:
                self._preflight(client, target)
            except UntrustedCertificateError as exc:
                client.close()
                client = self._scan_untrusted(target, str(exc))
            # Importing every check takes longer than the first request: it comes after it.
            registry = self.registry or default_registry()
            if selected is None:
                selected = registry.select(options.checks, options.skip_checks)
            for problem in registry.problems:
                self._notice(problem)
            if any(c.meta.uses_callbacks for c in selected):
                callbacks = self._callback_server(target)
            if spec is None and options.setting("discover_spec", True):
                discovered = self._discover_spec(client, target)
                if discovered is not None:
                    spec, prefix = discovered
                    target = target.with_spec(spec, found_under=prefix)
            target = target.without(options.exclude)
            credentials, withheld, identities, flow = self._authenticate(client, target, spec)
            login_answers = tuple(s.answer for s in client.sessions if s.answer is not None)
            cache = SharedCache()
            identities_given = credentials is not None or bool(identities)
            self.listener(ScanStarted(target=self.redactor.text(target.url),
                                      checks=len(selected)))
            outcomes: list[CheckOutcome] = []
            findings: list[Finding] = []

            def context(http: CheckHttp) -> ScanContext:
                return ScanContext(target=target, options=options, http=http,
                                   redactor=self.redactor, cache=CheckCache(cache), spec=spec,
                                   credentials=credentials,
                                   credentials_withheld_reason=withheld,
                                   notices=self.notices, identities=identities, login=flow,
                                   login_answers=login_answers, callbacks=callbacks)

            for batch in schedule(selected):
                if any(c.meta.needs_working_credentials for c in batch) and identities_given:
                    self._wait_out_throttling(client)
                workers = min(len(batch), max(1, options.concurrency))
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    results = list(pool.map(
                        lambda c: self._run_check(c, client, context), batch))
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

    def _client(self, target: Target, *, untrusted: bool) -> ProbeClient:
        """The scan's probe client; `untrusted`: the certificate failed verification, so
        verify nothing and send no supplied credential (as on cleartext)."""
        options = self.options
        return ProbeClient(
            target.host,
            ClientLimits(
                max_requests=options.max_requests,
                rate=options.rate,
                concurrency=options.concurrency,
                timeout=options.timeout,
                max_duration=options.max_duration,
            ),
            TlsSettings(cacert=options.cacert, insecure=options.insecure or untrusted),
            self.redactor,
            allow_cleartext_credentials=options.allow_cleartext_credentials,
            allow_unsafe_methods=options.allow_unsafe_methods,
            extra_headers=self._extra_headers(target, untrusted=untrusted),
            withhold_credentials=untrusted,
        )

    def _scan_untrusted(self, target: Target, problem: str) -> ProbeClient:
        """An untrusted certificate is a finding (encryption.certificate names it), not the
        end of the scan: scan on without verification and without the user's credentials."""
        self._untrusted = (f"credentials withheld: the certificate of {target.host} is not "
                           f"trusted ({problem}); pass --cacert FILE to trust its CA, or -k to "
                           "send them anyway")
        self._notice(f"the certificate of {target.host} is not trusted ({problem}): scanning on "
                     "without verifying it and without your credentials (pass --cacert FILE "
                     "to trust its CA, or -k to send them anyway)")
        client = self._client(target, untrusted=True)
        self._preflight(client, target)
        return client

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

    def _load_spec(self, client: ProbeClient, target: Target) -> ApiSpec:
        """--spec as a file or URL; external references only from the spec's own host, with
        the credential only when it refuses anonymous clients (see engine.fetch)."""
        from apivigil.engine.fetch import SpecFetcher
        from apivigil.spec.loader import load_spec

        source = self.options.spec or ""
        with SpecFetcher(source, client.ssl_context, self.options.timeout,
                         credential=self._spec_credential(target)) as fetch:
            spec = load_spec(source, fetch)
        for url, status in fetch.credentialed:
            assert fetch.credential is not None
            self._spec_needed(url, status, fetch.credential)
        return spec

    def _spec_needed(self, url: str, status: int, credential: SpecCredential) -> None:
        self._notice(f"the spec at {self.redactor.text(url)} refused anonymous clients "
                     f"(HTTP {status}): fetched with the scan's credential ({credential.names})")

    def _spec_credential(self, target: Target) -> SpecCredential | None:
        """What a spec behind authentication is fetched with: the secret -H headers and the
        primary identity's (`apikey:` as X-API-Key: the spec that would place it is not read
        yet). None without one, after an untrusted certificate, or for USER:PASSWORD that a
        --login sends to the login, not as Basic."""
        from apivigil.engine.fetch import SpecCredential

        options = self.options
        if self._untrusted is not None:
            return None
        headers = {name: value for name, value in options.headers if is_secret_header(name)}
        identities = options.all_identities()
        if identities and not (identities[0].uses_basic and options.login.path is not None):
            headers.update(identities[0].auth_headers())
        headers.pop(QUERY_CREDENTIAL_HEADER, None)  # a key in the URL: not for the spec
        if not headers:
            return None
        return SpecCredential(headers, target.host.lower().strip("[]"),
                              options.allow_cleartext_credentials)

    def _discover_spec(
        self, client: ProbeClient, target: Target
    ) -> tuple[ApiSpec, str] | None:
        """Look for a spec in the usual places (at most `DISCOVERY_PATHS` requests per base
        path); off with `--set discover_spec=false`. Returns it with the path prefix it was
        found under."""
        from apivigil.engine.fetch import REFUSED, withheld
        from apivigil.spec.loader import build_spec, parse_document

        credential = self._spec_credential(target)
        refused: str | None = None  # why the first spec URL that refused anonymous clients
        prefixes = dict.fromkeys([target.base_path, ""])
        places = [(prefix, target.origin(target.scheme) + prefix + path)
                  for path in DISCOVERY_PATHS for prefix in prefixes]
        for prefix, url in places:
            try:
                response = client.get(url, use_extra_headers=False)
                anonymous = response.status
                why_not = withheld(credential, url)
                if anonymous in REFUSED and credential is not None and why_not is None:
                    response = client.get(url, headers=dict(credential.headers),
                                          use_extra_headers=False)
            except BudgetExhaustedError:
                break
            except ProbeError:
                continue
            if response.status in REFUSED and refused is None:
                refused = (f"{self.redactor.text(url)} answered HTTP {anonymous} "
                           + (f"({why_not})" if why_not else
                              f"and HTTP {response.status} with the scan's credential"))
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
            if anonymous in REFUSED and credential is not None:
                self._spec_needed(url, anonymous, credential)
            return spec, prefix
        if refused is not None:
            self._notice(f"no OpenAPI spec could be read, so none is used: {refused}")
        return None

    def _preflight(self, client: ProbeClient, target: Target) -> None:
        """The target must answer at all; otherwise there is nothing to scan (exit 3)."""
        try:
            client.get(target.url, use_extra_headers=False)
        except ProbeError as exc:
            problem = str(exc).split(": ", 1)[-1]
            if CERTIFICATE_PROBLEM in problem and not client.withhold_credentials:
                raise UntrustedCertificateError(
                    problem.removeprefix(CERTIFICATE_PROBLEM).strip(" ()")) from None
            raise ScanError(f"cannot reach {self.redactor.text(target.url)}: {problem}") from None

    def _extra_headers(self, target: Target, *, untrusted: bool = False) -> dict[str, str]:
        """The -H headers, less the credential-like ones when they would travel in clear or
        to a server whose certificate is not trusted."""
        headers = dict(self.options.headers)
        if not untrusted and (target.is_https or self.options.allow_cleartext_credentials):
            return headers
        withheld = sorted(name for name in headers if is_secret_header(name))
        if withheld and not untrusted:
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
        if self._untrusted is not None:  # said in the untrusted-certificate notice
            return None, self._untrusted, (), flow
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
        try:  # applies_to may send requests too (shared baselines)
            skip = check.applies_to(ctx)
            if skip is not None:
                status, reason = OutcomeStatus.SKIPPED, skip
            else:
                for finding in check.run(ctx):  # kept one by one: a later error loses none
                    found.append(finding)
        except InconclusiveError as exc:
            if not http.inconclusive_reasons:  # raised by another check's shared request
                http.inconclusive(str(exc))
        except NothingToTestError as exc:
            status, reason = OutcomeStatus.SKIPPED, str(exc)
        except BudgetExhaustedError as exc:
            status, reason = OutcomeStatus.ERROR, f"stopped early: {exc}"
        except Exception as exc:
            status = OutcomeStatus.ERROR
            reason = f"{type(exc).__name__}: {exc}"
            log.debug("check %s crashed:\n%s", meta.id,
                      self.redactor.text(traceback.format_exc()))
        if status is OutcomeStatus.COMPLETED:
            status, reason = _verdict(meta, http, ctx, found)
        self._sent_by[meta.id] = http.requests
        outcome = CheckOutcome(
            check=meta.id, category=meta.category, status=status,
            reason=self.redactor.text(reason) if reason else None,
            findings=len(found), requests=http.sent,
            duration_s=round(time.perf_counter() - started, 3),
            informational=meta.severity is Severity.INFO,
        )
        self.listener(CheckFinished(outcome=outcome))
        return outcome, found

    def _wait_out_throttling(self, client: ProbeClient) -> None:
        """The target sent a Retry-After with a throttling answer: wait it out before checks
        that need the credentials accepted, if --max-duration leaves time for it."""
        if client.throttled_for <= 0:
            return
        wait = client.throttled_for + 1.0  # Retry-After is whole seconds, often rounded down
        if wait >= client.seconds_left:
            self._notice(f"the target throttled this scan for {wait:.0f} s more (Retry-After), "
                         "longer than --max-duration leaves: checks that need working "
                         "credentials may end inconclusive")
            return
        self._notice(f"the target throttled this scan (Retry-After): waited {wait:.0f} s "
                     "before the checks that need working credentials")
        time.sleep(wait)

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


class UntrustedCertificateError(Exception):
    """The target's certificate failed verification (without -k): scan on, credentials
    withheld, and let encryption.certificate report it."""


def schedule(selected: Sequence[type[Check]]) -> list[list[type[Check]]]:
    """The order checks run in: by phase (see `checks.base.PHASE_*`); a phase before
    SEQUENTIAL_PHASE runs as one concurrent batch, every later check alone (timing needs a
    quiet target, and throttling-provoking checks must not overlap the rest)."""
    batches: list[list[type[Check]]] = []
    ordered = sorted(selected, key=lambda c: c.meta.phase)
    for phase, group in groupby(ordered, key=lambda c: c.meta.phase):
        checks = list(group)
        if phase >= SEQUENTIAL_PHASE:
            batches.extend([c] for c in checks)
        else:
            batches.append(checks)
    return batches


def _verdict(
    meta: CheckMeta, http: CheckHttp, ctx: ScanContext, found: list[Finding]
) -> tuple[OutcomeStatus, str | None]:
    """A check that ran to its end: completed, unless throttling kept it from a verdict
    (inconclusive) or it tested nothing at all (no request of its own, no shared response,
    no finding: skipped, so its category is never graded on it)."""
    if http.inconclusive_reasons:
        first = http.inconclusive_reasons[0]
        more = len(http.inconclusive_reasons) - 1
        return OutcomeStatus.INCONCLUSIVE, first + (f" (and {more} more)" if more else "")
    used_shared = isinstance(ctx.cache, CheckCache) and ctx.cache.used
    if http.sent == 0 and not used_shared and not found and not meta.offline:
        return OutcomeStatus.SKIPPED, "sent no request: nothing it applies to was found"
    return OutcomeStatus.COMPLETED, None


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




def scan(options: ScanOptions, listener: Listener = ignore_events) -> Report:
    """Run one scan: the library's entry point."""
    return Scanner(options, listener=listener).run()
