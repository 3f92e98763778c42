"""What the cleartext side (http://) of the target does, surveyed once per scan.

The cleartext-exposure and HTTPS-enforcement checks judge the same few answers, so they share
one survey from the scan cache: a GET of up to 5 endpoints (secured ones first) and of the root
path, anonymously, and once more with a random dummy Basic credential (never the user's) when
the anonymous answer is not a redirect. The two checks split the cases between them: no redirect
anywhere is cleartext exposure; redirects somewhere are judged as HTTPS enforcement.
"""

from __future__ import annotations

from dataclasses import dataclass

from apivigil.checks.base import ScanContext
from apivigil.checks.common import challenges, dummy_basic_header, probe_endpoints
from apivigil.core.errors import ProbeError
from apivigil.http.client import ProbeResponse


@dataclass(frozen=True)
class SideProbe:
    """The cleartext answers for one path: anonymous, then with a dummy credential."""

    path: str
    url: str
    plain: ProbeResponse
    with_dummy: ProbeResponse | None
    declared_secured: bool
    extra: bool = False  # the root path, probed only to see whether the side redirects at all

    @property
    def redirects(self) -> bool:
        """Sends clients elsewhere, at once or once they present a credential."""
        return self.plain.is_redirect or bool(self.with_dummy and self.with_dummy.is_redirect)

    @property
    def basic_challenge(self) -> bool:
        answers = [self.plain] + ([self.with_dummy] if self.with_dummy else [])
        return any("basic" in challenges(r) for r in answers)

    @property
    def asks_credentials(self) -> bool:
        """The path wants a credential over cleartext (challenge, 401/403, or per the spec)."""
        return (self.basic_challenge or self.declared_secured
                or self.plain.status in (401, 403))

    @property
    def evidence(self) -> ProbeResponse:
        """The answer that shows the problem best: the dummy-credential one when it exists."""
        return self.with_dummy if self.with_dummy is not None and self.asks_credentials \
            else self.plain


@dataclass(frozen=True)
class HttpSide:
    listening: bool
    probes: tuple[SideProbe, ...] = ()

    @property
    def any_redirect(self) -> bool:
        return any(p.redirects for p in self.probes)


def http_side(ctx: ScanContext) -> HttpSide:
    """The survey of the cleartext side, computed by the first check that asks for it."""
    return ctx.cache.get_or_compute("encryption.http-side", lambda: _survey(ctx))


def _survey(ctx: ScanContext) -> HttpSide:
    targets = [(e.path, ctx.target.twin(e.url, "http"), e.declared_secured, False)
               for e in probe_endpoints(ctx)]
    root = ctx.target.origin("http") + "/"
    if root not in [t[1] for t in targets]:
        targets.append(("/", root, False, True))
    probes: list[SideProbe] = []
    for path, url, secured, extra in targets:
        try:
            plain = ctx.http.get(url, use_extra_headers=False)
        except ProbeError:
            if not probes:
                return HttpSide(listening=False)  # nothing listens on the cleartext side
            continue
        dummy = None
        if not plain.is_redirect and not extra:
            dummy = ctx.http.get(url, headers={"Authorization": dummy_basic_header()},
                                 use_extra_headers=False)
        probes.append(SideProbe(path, url, plain, dummy, secured, extra))
    return HttpSide(listening=True, probes=tuple(probes))
