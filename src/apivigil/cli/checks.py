"""`apivigil checks`: every check the registry holds, with what it sends and its settings."""

from __future__ import annotations

from apivigil.checks.base import Setting
from apivigil.cli.app import app


@app.command("checks")
def list_checks() -> None:
    """List every check: id, category, CWE, worst severity, what it sends, its settings."""
    from apivigil.checks.registry import REGISTRY
    from apivigil.engine.runner import ENGINE_SETTINGS

    width = max(len(check_id) for check_id in REGISTRY.ids)
    for check in REGISTRY:
        meta = check.meta
        cwe = ", ".join(f"CWE-{c}" for c in meta.cwe)
        flags = " (intrusive: needs --allow-unsafe-methods)" if meta.intrusive else ""
        print(f"{meta.id:<{width}}  {meta.category.value:<22} {meta.severity.value:<8}  {cwe}")
        print(f"{'':<{width}}  {meta.title}. Sends: {meta.sends}{flags}")
        for setting in meta.settings:
            print(f"{'':<{width}}  --set {_describe(setting)}")
    print("Scan settings:")
    for setting in ENGINE_SETTINGS:
        print(f"  --set {_describe(setting)}")


def _describe(setting: Setting) -> str:
    default = setting.default
    shown = (",".join(default) or "none") if isinstance(default, tuple) else str(default).lower()
    return f"{setting.name}=<{setting.describe()}> (default {shown}): {setting.help}"
