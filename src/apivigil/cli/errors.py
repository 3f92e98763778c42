"""apivigil's errors as one line on stderr and the documented exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from apivigil.core.errors import ApivigilError

err_console = Console(stderr=True)


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
