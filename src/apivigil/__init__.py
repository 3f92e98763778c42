"""apivigil: a security scanner for HTTP APIs.

The public library API is small and stable: build `ScanOptions`, call `scan()`, read the
`Report` (or render it with `apivigil.reporting`).
"""

from __future__ import annotations

__version__ = "0.1.0"

from apivigil.core.config import Credentials, ScanOptions
from apivigil.core.errors import ApivigilError, ScanError, UsageError
from apivigil.core.models import (
    Category,
    Confidence,
    Finding,
    Report,
    Severity,
)


def scan(options: ScanOptions) -> Report:
    """Scan one target and return the report (raises `ApivigilError` when it cannot run)."""
    from apivigil.engine.runner import scan as run

    return run(options)


__all__ = [
    "ApivigilError",
    "Category",
    "Confidence",
    "Credentials",
    "Finding",
    "Report",
    "ScanError",
    "ScanOptions",
    "Severity",
    "UsageError",
    "__version__",
    "scan",
]
