"""The typed, immutable registry of checks.

Each family package exports `CHECKS`, a tuple of check classes; this module concatenates them.
Adding a check is one module plus one line in its family's `CHECKS`. Duplicate ids are refused
at import time, so two checks can never be confused in a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from apivigil.checks import (
    authentication,
    authorization,
    data_exposure,
    encryption,
    input_validation,
    inventory,
    llm_security,
    rate_limiting,
    ssrf,
    unsafe_consumption,
)
from apivigil.checks.base import Check
from apivigil.core.errors import UsageError


class Registry:
    def __init__(self, checks: Iterable[type[Check]]) -> None:
        self._checks: tuple[type[Check], ...] = tuple(checks)
        seen: set[str] = set()
        for check in self._checks:
            if check.meta.id in seen:
                raise ValueError(f"duplicate check id {check.meta.id}")
            seen.add(check.meta.id)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)

    @property
    def ids(self) -> list[str]:
        return [c.meta.id for c in self._checks]

    def select(
        self, include: Sequence[str] = (), exclude: Sequence[str] = ()
    ) -> list[type[Check]]:
        """Checks chosen by id or category (`--checks`, `--skip-checks`), in registry order."""
        for name in [*include, *exclude]:
            if not self._matches_any(name):
                raise UsageError(
                    f"unknown check or category {name!r}; 'apivigil checks' lists them"
                )
        chosen = [c for c in self._checks if not include or _matches(c, include)]
        return [c for c in chosen if not _matches(c, exclude)]

    def _matches_any(self, name: str) -> bool:
        return any(_matches(c, [name]) for c in self._checks)


def _matches(check: type[Check], names: Sequence[str]) -> bool:
    return any(n in (check.meta.id, check.meta.category.value) for n in names)


REGISTRY = Registry([*encryption.CHECKS, *authentication.CHECKS, *data_exposure.CHECKS,
                     *input_validation.CHECKS, *rate_limiting.CHECKS,
                     *authorization.CHECKS, *inventory.CHECKS,
                     *ssrf.CHECKS, *unsafe_consumption.CHECKS,
                     *llm_security.CHECKS])
