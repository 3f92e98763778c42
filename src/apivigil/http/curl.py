"""Build a `curl` command line that reproduces a recorded (already redacted) request."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

# Headers curl sets by itself; repeating them only adds noise to the evidence.
_IMPLICIT = frozenset({"host", "accept", "accept-encoding", "connection", "user-agent",
                       "content-length"})


def curl_line(
    method: str, url: str, headers: Iterable[tuple[str, str]], body: str | None = None
) -> str:
    parts = ["curl", "-i"]
    if method == "HEAD":
        parts.append("-I")
    elif method != "GET" or body:
        parts += ["-X", method]
    for name, value in headers:
        if name.lower() not in _IMPLICIT:
            parts += ["-H", f"{name}: {value}"]
    if body:
        parts += ["--data-raw", body]
    parts.append(url)
    return " ".join(shlex.quote(p) for p in parts)
