"""Accepted findings: baseline files and the config's ignore list.

A **baseline** (`apivigil baseline -o FILE`) is a JSON file listing the fingerprints of the
findings of one scan, with their rule, severity and place so that a reviewer can read it. With
`--baseline FILE` a later scan reports, and fails on, only findings whose fingerprint is not in
it. Fingerprints hash the rule, method, path template and parameter, never evidence, so they
survive changing response bodies.

An **ignore** entry (in `.apivigil.toml` or `[tool.apivigil]`) silences one rule, optionally only
on paths matching a glob, for a *required* reason, optionally until an expiry date after which
the finding comes back (with a notice saying the acceptance lapsed):

    [[ignore]]
    rule = "encryption.hsts-missing"   # a rule id, or a glob such as "encryption.*"
    path = "/internal/*"               # optional: glob on the path template (or URL path)
    reason = "internal API, TLS ends at the mesh"
    expires = 2027-03-31               # optional

Suppressed findings leave the report's finding list (and no longer count for `--fail-on`), but
the grade and score stay those of the full scan and a notice says how many were suppressed:
accepting a risk does not make the API safer. The history stores the full, unsuppressed report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apivigil.core.errors import UsageError
from apivigil.core.models import Finding, Report

BASELINE_VERSION = 1


# -- baselines ------------------------------------------------------------------------------


def baseline_document(report: Report) -> dict[str, Any]:
    """The baseline file's content for a report's findings."""
    return {
        "tool": "apivigil",
        "baseline_version": BASELINE_VERSION,
        "target": report.target,
        "created_at": report.finished_at.isoformat(),
        "findings": [
            {"fingerprint": f.fingerprint, "id": f.id, "severity": f.severity.value,
             "where": " ".join(p for p in (f.method, f.path or f.url) if p), "title": f.title}
            for f in sorted(report.findings, key=lambda f: (f.id, f.fingerprint))
        ],
    }


def write_baseline(report: Report, path: Path) -> int:
    """Write the baseline file; returns how many findings it accepts."""
    document = baseline_document(report)
    try:
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the baseline {path}: {exc.strerror}") from None
    return len(document["findings"])


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file accepts."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("baseline_version") != BASELINE_VERSION:
            raise ValueError("not an apivigil baseline (baseline_version 1)")
        return frozenset(str(f["fingerprint"]) for f in document["findings"])
    except OSError as exc:
        raise UsageError(f"--baseline: cannot read {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"--baseline: {path} is not a baseline file: {exc}") from None


# -- ignore list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IgnoreRule:
    """One accepted risk from the config file."""

    rule: str
    reason: str
    path: str | None = None
    expires: date | None = None

    @classmethod
    def parse(cls, entry: Any, where: str) -> IgnoreRule:
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: each ignore entry must be a table with rule and reason")
        unknown = set(entry) - {"rule", "reason", "path", "expires"}
        if unknown:
            raise UsageError(f"{where}: unknown key(s) in an ignore entry: "
                             f"{', '.join(sorted(unknown))}")
        rule, reason = entry.get("rule"), entry.get("reason")
        if not isinstance(rule, str) or not rule.strip():
            raise UsageError(f"{where}: an ignore entry needs a rule id ('rule = \"...\"')")
        if not isinstance(reason, str) or not reason.strip():
            raise UsageError(f"{where}: the ignore entry for {rule} needs a reason "
                             "('reason = \"...\"'): accepted risks must say why")
        path = entry.get("path")
        if path is not None and not isinstance(path, str):
            raise UsageError(f"{where}: 'path' of the ignore entry for {rule} must be a string")
        return cls(rule=rule.strip(), reason=reason.strip(), path=path,
                   expires=_date(entry.get("expires"), rule, where))

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        if not fnmatchcase(finding.id, self.rule):
            return False
        if self.path is None:
            return True
        place = finding.path or (urlsplit(finding.url).path if finding.url else "")
        return fnmatchcase(place, self.path)


def _date(value: Any, rule: str, where: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise UsageError(f"{where}: 'expires' of the ignore entry for {rule} must be a date "
                     "such as 2027-03-31")


# -- applying both ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppressed:
    """The report to show, and what was left out of it and why."""

    report: Report
    by_baseline: int
    by_ignore: int
    expired: tuple[IgnoreRule, ...]


def apply(
    report: Report,
    *,
    baseline: frozenset[str] = frozenset(),
    ignore: tuple[IgnoreRule, ...] = (),
    today: date | None = None,
) -> Suppressed:
    """Drop accepted findings from the report; grade and score stay those of the full scan."""
    today = today or datetime.now(UTC).date()
    active = tuple(rule for rule in ignore if not rule.expired(today))
    expired = tuple(rule for rule in ignore if rule.expired(today))
    kept: list[Finding] = []
    by_baseline = by_ignore = 0
    for finding in report.findings:
        if finding.fingerprint in baseline:
            by_baseline += 1
        elif any(rule.matches(finding) for rule in active):
            by_ignore += 1
        else:
            kept.append(finding)
    notices = list(report.notices)
    if by_baseline:
        notices.append(f"{by_baseline} finding(s) already in the baseline are not shown; "
                       f"grade and score are those of all {len(report.findings)} findings")
    if by_ignore:
        notices.append(f"{by_ignore} finding(s) suppressed by the config's ignore list")
    for rule in expired:
        if any(rule.matches(f) for f in report.findings):
            notices.append(f"the ignore entry for {rule.rule} expired on {rule.expires}: "
                           f"its findings are reported again (reason was: {rule.reason})")
    if not by_baseline and not by_ignore and notices == report.notices:
        return Suppressed(report, 0, 0, expired)
    shown = report.model_copy(update={"findings": kept, "notices": notices})
    return Suppressed(shown, by_baseline, by_ignore, expired)
