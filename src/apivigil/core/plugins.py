"""How check families and report formats are found: Python entry points, built-in or not.

apivigil's own families and writers are registered exactly as a third party's are, in the
`[project.entry-points."apivigil.checks"]` and `[project.entry-points."apivigil.formats"]`
tables of a pyproject.toml. A check entry point names a sequence of `Check` classes (or one
class); a format entry point names a `reporting.ReportFormat`. The entry point's *name* is the
family or format name.

Order is deterministic: apivigil's own entry points first, then other distributions', each
sorted by distribution and name (setuptools writes entry points sorted by name anyway).
`APIVIGIL_NO_PLUGINS=1` keeps to apivigil's own (a reproducible scan whatever else is
installed in the environment).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import metadata

from apivigil.core.errors import ScanError

CHECKS_GROUP = "apivigil.checks"
FORMATS_GROUP = "apivigil.formats"
NO_PLUGINS_ENV = "APIVIGIL_NO_PLUGINS"
OWN_DISTRIBUTION = "apivigil"


@dataclass(frozen=True)
class Plugin:
    """One entry point: what it is called, where it points, who ships it."""

    name: str
    value: str
    distribution: str
    entry_point: metadata.EntryPoint

    @property
    def builtin(self) -> bool:
        return self.distribution == OWN_DISTRIBUTION

    def load(self) -> object:
        """Import the object the entry point names (the plugin's code runs here)."""
        return self.entry_point.load()


def plugins(group: str) -> tuple[Plugin, ...]:
    """Every entry point of `group`: apivigil's own first, then third parties' (if enabled)."""
    found = []
    for entry_point in metadata.entry_points(group=group):
        dist = entry_point.dist
        name = dist.name if dist is not None else ""
        found.append(Plugin(entry_point.name, entry_point.value,
                            _normalise(name), entry_point))
    found.sort(key=lambda p: (not p.builtin, p.distribution, p.name))
    own = [p for p in found if p.builtin]
    if not own:
        raise ScanError(f"apivigil's own {group} entry points are not installed (its package "
                        "metadata is missing or stale): reinstall apivigil, e.g. `make setup` "
                        "or `pip install -e .`")
    if plugins_disabled():
        return tuple(own)
    return tuple(found)


def plugins_disabled() -> bool:
    return os.environ.get(NO_PLUGINS_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")
