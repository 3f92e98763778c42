"""apivigil's errors as one line on stderr and the documented exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

import typer

from apivigil.core.errors import ApivigilError

if TYPE_CHECKING:
    from rich.console import Console


class _StderrConsole:
    """rich's Console on stderr, created on first use: a scan that prints nothing before its
    first request does not wait for rich to import."""

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        return Console(stderr=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


err_console: Any = _StderrConsole()


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn apivigil's errors into one line on stderr and the documented exit code."""
    try:
        yield
    except ApivigilError as exc:
        err_console.print(f"apivigil: error: {exc}", markup=False, highlight=False,
                          soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err_console.print("apivigil: interrupted", markup=False)
        raise typer.Exit(130) from None
