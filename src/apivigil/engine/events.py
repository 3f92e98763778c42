"""Events the engine emits while scanning; the terminal progress display is one listener."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apivigil.core.models import CheckOutcome


@dataclass(frozen=True)
class ScanStarted:
    target: str
    checks: int


@dataclass(frozen=True)
class CheckStarted:
    check: str


@dataclass(frozen=True)
class CheckFinished:
    outcome: CheckOutcome


@dataclass(frozen=True)
class Notice:
    message: str


Event = ScanStarted | CheckStarted | CheckFinished | Notice
Listener = Callable[[Event], None]


def ignore(_: Event) -> None:
    """The default listener: a library caller who wants no progress gets none."""
