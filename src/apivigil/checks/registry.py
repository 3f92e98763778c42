"""The typed, immutable registry of checks, filled from the `apivigil.checks` entry points.

Each family package exports `CHECKS`, a tuple of check classes, and is registered as an entry
point in pyproject.toml (`encryption = "apivigil.checks.encryption:CHECKS"`), exactly as a
third-party package registers its own family. Adding a check is one module plus one line in
its family's `CHECKS`. Duplicate ids are refused, so two checks can never be confused in a
report: among apivigil's own checks that is a programming error (raised); a third-party check
that repeats an id, or a plugin that cannot be imported, is left out and named in `problems`,
which `apivigil checks` and every scan report as a notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from apivigil.checks.base import Check, Setting
from apivigil.core.errors import UsageError
from apivigil.core.plugins import CHECKS_GROUP, Plugin, plugins


class Registry:
    def __init__(self, checks: Iterable[type[Check]], problems: Iterable[str] = (),
                 origins: Mapping[str, str] | None = None) -> None:
        self._checks: tuple[type[Check], ...] = tuple(checks)
        self.problems: tuple[str, ...] = tuple(problems)
        self.origins: Mapping[str, str] = dict(origins or {})  # check id -> plugin package
        seen: set[str] = set()
        for check in self._checks:
            if check.meta.id in seen:
                raise ValueError(f"duplicate check id {check.meta.id}")
            seen.add(check.meta.id)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)

    @property
    def ids(self) -> list[str]:
        return [c.meta.id for c in self._checks]

    def settings(self) -> dict[str, Setting]:
        """Every check setting by name; two checks may declare the same setting only alike."""
        found: dict[str, Setting] = {}
        for check in self._checks:
            for setting in check.meta.settings:
                if found.setdefault(setting.name, setting) != setting:
                    raise ValueError(f"setting {setting.name} declared differently twice")
        return found

    def select(
        self, include: Sequence[str] = (), exclude: Sequence[str] = ()
    ) -> list[type[Check]]:
        """Checks chosen by id or category (`--checks`, `--skip-checks`), in registry order."""
        for name in [*include, *exclude]:
            if not self._matches_any(name):
                raise UsageError(
                    f"unknown check or category {name!r}; 'apivigil checks' lists them"
                )
        chosen = [c for c in self._checks if not include or _matches(c, include)]
        return [c for c in chosen if not _matches(c, exclude)]

    def _matches_any(self, name: str) -> bool:
        return any(_matches(c, [name]) for c in self._checks)


def _matches(check: type[Check], names: Sequence[str]) -> bool:
    """By id, by category, or by the id's prefix (`jwt` selects jwt.analysis, jwt.forgery...:
    a family whose checks report in another category)."""
    prefix = check.meta.id.split(".", 1)[0]
    return any(n in (check.meta.id, check.meta.category.value, prefix) for n in names)


def from_entry_points(found: Iterable[Plugin]) -> Registry:
    """The registry of every check family the entry points name, built-in ones first."""
    checks: list[type[Check]] = []
    problems: list[str] = []
    origins: dict[str, str] = {}
    seen: set[str] = set()
    for plugin in found:
        try:
            family = _checks_of(plugin)
        except Exception as exc:
            if plugin.builtin:
                raise
            problems.append(f"check plugin {plugin.name!r} from {plugin.distribution} was not "
                            f"loaded: {type(exc).__name__}: {exc}")
            continue
        for check in family:
            if check.meta.id in seen and not plugin.builtin:
                problems.append(f"check {check.meta.id} from {plugin.distribution} was not "
                                "loaded: a check with that id is already registered")
                continue
            seen.add(check.meta.id)
            checks.append(check)
            if not plugin.builtin:
                origins[check.meta.id] = plugin.distribution
    return Registry(checks, problems, origins)


def _checks_of(plugin: Plugin) -> tuple[type[Check], ...]:
    loaded = plugin.load()
    family = (loaded,) if isinstance(loaded, type) else tuple(loaded)  # type: ignore[arg-type]
    for check in family:
        if not (isinstance(check, type) and issubclass(check, Check)):
            raise TypeError(f"{plugin.value} must name Check subclasses, got {check!r}")
    return family


REGISTRY = from_entry_points(plugins(CHECKS_GROUP))
