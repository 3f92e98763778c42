"""`apivigil checks` and `apivigil formats`: what the registries hold, plugins included."""

from __future__ import annotations

from apivigil.cli.app import app
from apivigil.cli.errors import err_console, errors_to_exit_codes


@app.command("checks")
def list_checks() -> None:
    """List every check: id, category, CWE, worst severity and what it sends."""
    with errors_to_exit_codes():
        from apivigil.checks.registry import REGISTRY

    for problem in REGISTRY.problems:
        err_console.print(f"! {problem}", markup=False, highlight=False)
    width = max(len(check_id) for check_id in REGISTRY.ids)
    for check in REGISTRY:
        meta = check.meta
        cwe = ", ".join(f"CWE-{c}" for c in meta.cwe)
        flags = " (intrusive: needs --allow-unsafe-methods)" if meta.intrusive else ""
        origin = REGISTRY.origins.get(meta.id)
        source = f" [plugin: {origin}]" if origin else ""
        print(f"{meta.id:<{width}}  {meta.category.value:<22} {meta.severity.value:<8}  {cwe}")
        print(f"{'':<{width}}  {meta.title}. Sends: {meta.sends}{flags}{source}")


@app.command("formats")
def list_formats() -> None:
    """List every report format (for --format) and the -o file extensions that choose it."""
    from apivigil.reporting import format_names, get_format, origin

    with errors_to_exit_codes():
        for name in format_names():
            extensions = " ".join(get_format(name).extensions)
            source = origin(name)
            print(f"{name:<10} {extensions}{f'  [plugin: {source}]' if source else ''}")
