"""`apivigil checks`: every check the registry holds, with what it sends."""

from __future__ import annotations

from apivigil.cli.app import app


@app.command("checks")
def list_checks() -> None:
    """List every check: id, category, CWE, worst severity and what it sends."""
    from apivigil.checks.registry import REGISTRY

    width = max(len(check_id) for check_id in REGISTRY.ids)
    for check in REGISTRY:
        meta = check.meta
        cwe = ", ".join(f"CWE-{c}" for c in meta.cwe)
        flags = " (intrusive: needs --allow-unsafe-methods)" if meta.intrusive else ""
        print(f"{meta.id:<{width}}  {meta.category.value:<22} {meta.severity.value:<8}  {cwe}")
        print(f"{'':<{width}}  {meta.title}. Sends: {meta.sends}{flags}")
