"""Optional parts of apivigil and the message when one is missing.

A plain `pip install apivigil` scans. The demo, PostgreSQL history and strict spec validation
need the packages of an extra (`pip install 'apivigil[demo]'`); using such a feature without
them is a usage error (exit 2) that names the extra, never an ImportError traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from apivigil.core.errors import UsageError

# extra -> the top-level modules it provides (how a missing one is recognised)
EXTRAS: dict[str, frozenset[str]] = {
    "demo": frozenset({"flask", "werkzeug", "bcrypt", "trustme"}),
    "postgres": frozenset({"psycopg", "psycopg_binary"}),
    "strict": frozenset({"openapi_spec_validator", "jsonschema_path", "jsonschema"}),
    "server": frozenset({"flask", "werkzeug", "bcrypt", "flask_wtf", "wtforms", "flask_limiter",
                         "limits", "croniter"}),
    "mcp": frozenset({"mcp", "mcp_types"}),
    "fleet": frozenset({"celery", "kombu", "billiard", "redis", "croniter"}),
}


class MissingExtraError(UsageError):
    """A feature was asked for whose optional dependencies are not installed (exit 2)."""

    def __init__(self, extra: str, feature: str) -> None:
        super().__init__(f"{feature} needs the optional dependencies of apivigil[{extra}]: "
                         f"pip install 'apivigil[{extra}]'")
        self.extra = extra


@contextmanager
def needs_extra(extra: str, feature: str) -> Iterator[None]:
    """Turn an ImportError of one of the extra's modules into `MissingExtraError`."""
    try:
        yield
    except ImportError as exc:
        if missing_module(exc) in EXTRAS[extra]:
            raise MissingExtraError(extra, feature) from None
        raise


def missing_module(exc: ImportError) -> str:
    """The top-level name of the module an ImportError is about ('' when unknown)."""
    return (exc.name or "").split(".")[0]
