"""apivigil: a security scanner for HTTP APIs.

The public library API is small and stable: build `ScanOptions`, call `scan()`, read the
`Report` (or render it with `apivigil.reporting`). The names are imported on first use, so
`import apivigil` (and `apivigil --version`) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from apivigil.core.config import Credentials, ScanOptions
    from apivigil.core.errors import ApivigilError, ScanError, UsageError
    from apivigil.core.models import Category, Confidence, Finding, Report, Severity

_EXPORTS = {
    "Credentials": "apivigil.core.config",
    "ScanOptions": "apivigil.core.config",
    "ApivigilError": "apivigil.core.errors",
    "ScanError": "apivigil.core.errors",
    "UsageError": "apivigil.core.errors",
    "Category": "apivigil.core.models",
    "Confidence": "apivigil.core.models",
    "Finding": "apivigil.core.models",
    "Report": "apivigil.core.models",
    "Severity": "apivigil.core.models",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'apivigil' has no attribute {name!r}")
    return getattr(import_module(module), name)


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
