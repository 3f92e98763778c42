"""Errors that end a scan before it can produce a report; each maps to a documented exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit-code contract that CI scripts rely on (documented in the README)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    SCAN_FAILED = 3


class ApivigilError(Exception):
    """Base for errors shown to the user as one clear sentence, never a traceback."""

    exit_code: ExitCode = ExitCode.SCAN_FAILED


class UsageError(ApivigilError):
    """The command line or configuration is wrong (exit 2)."""

    exit_code = ExitCode.USAGE


class ScanError(ApivigilError):
    """The scan could not run: unreachable host, unreadable spec, rejected credentials (exit 3)."""

    exit_code = ExitCode.SCAN_FAILED


class SpecError(ScanError):
    """The OpenAPI document could not be read, parsed or understood."""


class ProbeError(Exception):
    """One request failed (timeout, refused, too large, out of scope, over budget).

    Checks catch it when one failed request should not end them; the engine turns an uncaught
    one into an `error` outcome for that check only.
    """


class OutOfScopeError(ProbeError):
    """The request would leave the target's host."""


class BudgetExhaustedError(ProbeError):
    """The scan's request budget or maximum duration is used up."""


class CleartextCredentialError(ProbeError):
    """A supplied credential would have travelled over cleartext HTTP."""


class InconclusiveError(Exception):
    """The target throttled or locked out a request a check needed (429, 423, 503 with
    Retry-After): the check cannot reach a verdict and ends `inconclusive`, never `completed`.

    Deliberately not a `ProbeError`: checks that skip a failed request and go on must not
    swallow it and report "clean".
    """


class NothingToTestError(Exception):
    """A check found, while running, that the target leaves it nothing to test (no protected
    endpoint accepts the identity's token, say): it ends `skipped` with this reason, never
    `completed`, since a check that tested nothing is no all-clear."""
