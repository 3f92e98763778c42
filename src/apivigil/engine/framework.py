"""Which web framework the target runs, so the report shows that framework's code first.

Read from what the scan already received, never from extra requests: the Server and
X-Powered-By headers, the framework's own error bodies (Werkzeug's HTML 404, Starlette's
`{"detail": ...}`, Express's `Cannot GET`, Django's page) and, for FastAPI, its spec's
`HTTPValidationError` schema. Every response votes; the most voted framework wins, none
when nothing was recognised (the report then keeps the examples' own order).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from apivigil.core.models import Framework

_SERVER = (
    (re.compile(r"\bwerkzeug/", re.I), Framework.FLASK),
    (re.compile(r"\buvicorn\b|\bhypercorn\b", re.I), Framework.FASTAPI),
    (re.compile(r"^WSGIServer/.*CPython", re.I), Framework.DJANGO),
)
_BODY = (
    (re.compile(r"<title>\d{3} [^<]*</title>\s*<h1>[^<]*</h1>\s*<p>", re.I), Framework.FLASK),
    (re.compile(r'^\{"detail":'), Framework.FASTAPI),
    (re.compile(r"<pre>Cannot (GET|POST|PUT|DELETE|PATCH) "), Framework.EXPRESS),
    (re.compile(r"The requested resource was not found on this server\."), Framework.DJANGO),
)


def recognise(responses: Iterable[tuple[Iterable[tuple[str, str]], str]],
              spec: Mapping[str, object] | None = None) -> Framework | None:
    """The framework most responses (headers, body excerpt) point to, or None."""
    votes: Counter[Framework] = Counter()
    for headers, body in responses:
        for name, value in headers:
            lowered = name.lower()
            if lowered == "server":
                votes.update(f for pattern, f in _SERVER if pattern.search(value))
            elif lowered == "x-powered-by" and "express" in value.lower():
                votes[Framework.EXPRESS] += 1
        votes.update(f for pattern, f in _BODY if pattern.search(body.lstrip()))
    components = spec.get("components") if spec else None
    if isinstance(components, Mapping) and "HTTPValidationError" in (
            components.get("schemas") or {}):
        votes[Framework.FASTAPI] += 1
    if not votes:
        return None
    return votes.most_common(1)[0][0]
