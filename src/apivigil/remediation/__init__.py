"""Fix code examples: one complete, runnable file per fix and framework, shipped as data.

`examples/<fix>/flask.py`, `fastapi.py`, `django.py` or `express.js` hold the code exactly as a
report shows it; the test suite builds an app from the very same file, serves it on loopback,
scans it and asserts the finding is gone while a vulnerable twin still has it
(tests/remediation/). There is no second copy to drift. A file that cannot be tested that way
says why on a line of its own: `# untested: <reason>` (`// untested:` in JavaScript), and the
reports show that reason next to the code.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from apivigil.core.models import CodeExample, Framework

FILE_NAMES = {
    Framework.FLASK: "flask.py",
    Framework.FASTAPI: "fastapi.py",
    Framework.DJANGO: "django.py",
    Framework.EXPRESS: "express.js",
}
_UNTESTED = re.compile(r"^\s*(?:#|//) untested: (.+)$", re.MULTILINE)


def _folder() -> Traversable:
    return files(__name__) / "examples"


@cache
def examples(fix: str) -> tuple[CodeExample, ...]:
    """The examples of one fix, in framework order (Flask, FastAPI, Django, Express)."""
    folder = _folder() / fix
    found = []
    for framework, name in FILE_NAMES.items():
        source = folder / name
        if source.is_file():
            code = source.read_text(encoding="utf-8")
            untested = _UNTESTED.search(code)
            found.append(CodeExample(framework=framework, code=code,
                                     untested=untested.group(1).strip() if untested else None))
    if not found:
        raise LookupError(f"no code examples for the fix {fix!r}")
    return tuple(found)


def fixes() -> list[str]:
    """Every fix that has examples, sorted."""
    return sorted(entry.name for entry in _folder().iterdir() if entry.is_dir())
