"""Command line: `apivigil scan`, `baseline`, `demo`, `audit`, `checks`, `formats`, `history`,
`diff`, `serve`, `worker`, `mcp`.

Option names follow curl where curl has one. Exit codes: 0 no finding at or above --fail-on,
1 findings at or above it, 2 bad usage, 3 the scan could not run. Errors are one clear sentence
on stderr, never a traceback, and never contain a credential.

One module per command or command group (`scan` with `baseline`, `demo`, `audit`, `checks`
with `formats`, `history` with `diff`, `monitor` with `serve`, `worker` and `mcp`); the options
they share, grouped into help panels, live in `options`; writing reports and exit codes in
`output`; turning errors into exit codes in `errors`. Nothing heavy is imported here:
`apivigil --version` answers before typer, rich or pydantic are loaded, and each command
imports what it needs when it runs.
"""

from __future__ import annotations

import sys


def main() -> None:
    """The `apivigil` entry point."""
    if sys.argv[1:] == ["--version"]:  # the common case, answered without loading the CLI
        from apivigil import __version__

        print(f"apivigil {__version__}")
        return
    from apivigil.cli.app import main as run

    run()
