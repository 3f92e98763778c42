"""Command line: `apivigil scan`, `baseline`, `demo`, `audit`, `checks`, `history`, `diff`,
`serve`, `worker`, `mcp`.

Option names follow curl where curl has one. Exit codes: 0 no finding at or above --fail-on,
1 findings at or above it, 2 bad usage, 3 the scan could not run. Errors are one clear sentence
on stderr, never a traceback, and never contain a credential.

One module per command or command group (`scan` with `baseline`, `demo`, `audit`, `checks`,
`history` with `diff`, `monitor` with `serve`, `worker` and `mcp`); the options they share,
grouped into help panels, live in `options`; writing reports and exit codes in `output`;
turning errors into exit codes in `errors`.
"""

from __future__ import annotations

from apivigil.cli.app import app, main

__all__ = ["app", "main"]
