"""User enumeration by timing: a failed login must take as long for unknown users as for known.

The classic leak: the server hashes the password (bcrypt, argon2) only when the user exists,
so a wrong password for a real user takes milliseconds longer than one for a user that does
not exist, even when both get the same 401. The check measures it on the authentication
endpoint with the user name from `-u` (always with wrong passwords) and a random user name.

Method, chosen to be robust on a busy machine or network:

* interleaved pairs: each pair sends one known-user and one unknown-user failure, in a random
  (seeded) order, so load that comes and goes hits both sides alike; one warm-up pair is
  discarded;
* adaptive: after every batch of 10 pairs (from 10 up to 40 pairs, `settings`
  `timing_max_pairs`) the samples are judged; an overwhelming difference stops at 10 pairs,
  a clear absence of one at 20;
* a finding needs ALL of: a one-sided Mann-Whitney U test with p < 0.001; an effect size
  (probability that a known-user answer is slower, U / n1 n2) of at least 0.8; a median
  difference of at least 3 ms and 20 % of the unknown-user median; the same median difference
  in both halves of the run (stable, not one burst of load); and the known-user answer slower
  in at least 75 % of the pairs (a paired test that load drift cannot fake).

Evidence reports both medians, the sample counts, the p-value and the effect size. A 429 or
423 during sampling is throttling, not enumeration: the check stops, reports nothing and says
so in the scan's notices. Runs in phase 10 (alone, after the concurrent checks) so other
checks' traffic does not disturb the measurement. Sends 22 to 82 requests; note that every one
is a failed login for the `-u` user, which an account lockout policy may count.

False-alarm rate measured with bench/timing_false_alarms.py against a constant-work server
with random jitter (see that script and the project notes for the figures).
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

from apivigil.checks.authentication.enumeration import needs_known_user
from apivigil.checks.authentication.mannwhitney import mann_whitney_greater
from apivigil.checks.authentication.probing import (
    ENUMERATION_REMEDIATION,
    LOCKOUT,
    auth_target,
    known_username,
    note_throttled,
    unknown_username,
    wrong_password,
)
from apivigil.checks.base import Check, CheckMeta, ScanContext
from apivigil.core.errors import ProbeError
from apivigil.core.models import Category, Confidence, Finding, Owasp, Severity
from apivigil.http.client import Exchange

BATCH = 10
MIN_PAIRS = 10
MAX_PAIRS = 40
GIVE_UP_AFTER = 20  # pairs; stop early when there is clearly nothing
ALPHA = 0.001
MIN_EFFECT = 0.8  # P(known slower than unknown)
MIN_PAIRED = 0.75  # share of pairs where the known user was slower
ABS_FLOOR_S = 0.003
REL_FLOOR = 0.2
SEED = 20231


@dataclass(frozen=True)
class Verdict:
    """The statistics of one look at the samples."""

    pairs: int
    median_known: float
    median_unknown: float
    p_value: float
    effect: float
    paired: float
    floor: float
    halves_ok: bool

    @property
    def difference(self) -> float:
        return self.median_known - self.median_unknown

    @property
    def leaks(self) -> bool:
        return (self.p_value < ALPHA and self.effect >= MIN_EFFECT
                and self.paired >= MIN_PAIRED and self.difference >= self.floor
                and self.halves_ok)

    @property
    def clearly_nothing(self) -> bool:
        return self.p_value > 0.05 or self.difference < self.floor / 2


def judge(known: list[float], unknown: list[float]) -> Verdict:
    """Mann-Whitney U (one-sided), effect size, paired share and per-half medians."""
    result = mann_whitney_greater(known, unknown)
    n = len(known)
    med_k, med_u = statistics.median(known), statistics.median(unknown)
    floor = max(ABS_FLOOR_S, REL_FLOOR * med_u)
    half = n // 2
    halves_ok = all(
        statistics.median(known[a:b]) - statistics.median(unknown[a:b]) >= floor
        for a, b in ((0, half), (half, n))
    )
    paired = sum(k > u for k, u in zip(known, unknown, strict=True)) / n
    return Verdict(pairs=n, median_known=med_k, median_unknown=med_u,
                   p_value=result.p_value, effect=result.statistic / (n * n),
                   paired=paired, floor=floor, halves_ok=halves_ok)


class _ThrottledError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class UserEnumerationTiming(Check):
    meta = CheckMeta(
        id="authentication.user-enumeration-timing",
        title="User enumeration by response time",
        category=Category.AUTHENTICATION,
        cwe=(208, 204),
        owasp=(Owasp.API2,),
        severity=Severity.MEDIUM,
        sends="22 to 82 failed logins at the authentication endpoint (login POST or Basic GET): "
        "interleaved pairs of failed logins "
        "for the known user and a random unknown user (adaptive, stops early)",
        phase=10,
    )

    def applies_to(self, ctx: ScanContext) -> str | None:
        return needs_known_user(ctx) or super().applies_to(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        target = auth_target(ctx)
        user = known_username(ctx)
        assert target is not None and user is not None
        stranger = unknown_username()
        max_pairs = int(ctx.options.setting("timing_max_pairs", MAX_PAIRS))
        order = random.Random(SEED)
        known: list[float] = []
        unknown: list[float] = []
        example: Exchange | None = None
        verdict: Verdict | None = None

        def attempt(name: str) -> tuple[float, Exchange] | None:
            response = target.attempt(ctx, name, wrong_password())
            if response.status == 429 or response.status in LOCKOUT:
                raise _ThrottledError(response.status)
            if target.accepted(ctx, response):
                return None  # a wrong password let in: enforcement's finding, not timing's
            return response.elapsed_s, response.exchange

        try:
            for pair in range(max_pairs + 1):
                if ctx.http.remaining_requests < 2:
                    break
                first_known = order.random() < 0.5
                results: dict[str, tuple[float, Exchange] | None] = {}
                for name in ((user, stranger) if first_known else (stranger, user)):
                    results[name] = attempt(name)
                k, u = results[user], results[stranger]
                if k is None or u is None:
                    return
                if pair == 0:
                    continue  # warm-up pair: connection set-up and caches
                known.append(k[0])
                unknown.append(u[0])
                example = k[1]
                if len(known) >= MIN_PAIRS and len(known) % BATCH == 0:
                    verdict = judge(known, unknown)
                    if verdict.leaks:
                        break
                    if len(known) >= GIVE_UP_AFTER and verdict.clearly_nothing:
                        break
        except _ThrottledError as throttled:
            note_throttled(ctx, self.meta.id, throttled.status,
                           f"after {len(known)} timing pairs")
            return
        except ProbeError:
            return
        if len(known) >= MIN_PAIRS and (verdict is None or verdict.pairs != len(known)):
            verdict = judge(known, unknown)
        if verdict is None or not verdict.leaks:
            return
        yield self.finding(
            "user-enumeration-timing",
            "Failed logins take longer for known users",
            severity=Severity.MEDIUM,
            confidence=(Confidence.HIGH if verdict.effect >= 0.95 and verdict.paired >= 0.9
                        else Confidence.MEDIUM),
            description=(
                f"{target.label}: a wrong password for an existing user takes "
                f"{_ms(verdict.median_known)} ms (median) and one for a user that does not "
                f"exist {_ms(verdict.median_unknown)} ms, over {verdict.pairs} interleaved "
                f"pairs (Mann-Whitney U p = {verdict.p_value:.1e}). The server does the "
                "password work only for real users, so response times list valid user names."
            ),
            remediation=ENUMERATION_REMEDIATION,
            exchange=example,
            path=target.endpoint.path,
            data={
                "median_known_ms": _ms(verdict.median_known),
                "median_unknown_ms": _ms(verdict.median_unknown),
                "samples_known": len(known),
                "samples_unknown": len(unknown),
                "p_value": float(f"{verdict.p_value:.3g}"),
                "effect_size": round(verdict.effect, 3),
                "known_slower_share": round(verdict.paired, 3),
                "min_difference_ms": _ms(verdict.floor),
            },
        )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)

