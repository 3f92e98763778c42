"""Write the assembled hardened apps into docs/hardened-*-basic-auth.md (each page's one
```python block), after a change to the fix examples they are made of.

    .venv/bin/python scripts/hardened_docs.py
"""

from __future__ import annotations

import re
from pathlib import Path

from apivigil.core.models import Framework
from apivigil.remediation.assemble import hardened_basic_auth

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = {Framework.FLASK: "hardened-flask-basic-auth.md",
         Framework.FASTAPI: "hardened-fastapi-basic-auth.md"}
BLOCK = re.compile(r"^```python\n.*?^```$", re.S | re.M)


def main() -> None:
    for framework, name in PAGES.items():
        page = DOCS / name
        text = page.read_text(encoding="utf-8")
        code = hardened_basic_auth(framework)
        updated, count = BLOCK.subn(f"```python\n{code}```".replace("\\", "\\\\"), text)
        if count != 1:
            raise SystemExit(f"{page}: expected one ```python block, found {count}")
        if updated != text:
            page.write_text(updated, encoding="utf-8")
            print(f"updated {page}")


if __name__ == "__main__":
    main()
