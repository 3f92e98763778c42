"""Running the real `apivigil` command in a subprocess, as a CI script would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def apivigil(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    """Run apivigil; the history goes to a throwaway XDG_DATA_HOME unless --db says otherwise."""
    base = {k: v for k, v in os.environ.items() if k not in ("APIVIGIL_DB", "APIVIGIL_USER")}
    scratch = str(cwd or Path.cwd())
    return subprocess.run(
        [sys.executable, "-c", "from apivigil.cli import main; main()", *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=cwd,
        env={**base, "NO_COLOR": "1", "COLUMNS": "200", "XDG_DATA_HOME": scratch,
             **(env or {})},
    )
