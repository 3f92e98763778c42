"""The layer rules of ARCHITECTURE.md, enforced on every import in src/."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "apivigil"

ALLOWED = {
    "core": {"core"},
    "spec": {"core", "spec"},
    "http": {"core", "http"},
    "remediation": {"core", "remediation"},
    "checks": {"core", "spec", "http", "remediation", "checks"},
    "engine": {"core", "spec", "http", "remediation", "checks", "engine"},
    "reporting": {"core", "reporting"},
    "demo": {"core", "demo"},
    "store": {"core", "store"},
    "alerts": {"core", "store", "alerts"},
    "fleet": {"core", "store", "engine", "alerts", "fleet"},
    "server": {"core", "store", "reporting", "alerts", "fleet", "server"},
    "mcp_server": {"core", "spec", "checks", "engine", "store", "mcp_server"},
}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "apivigil":
        return None
    return parts[1] if len(parts) > 1 else ""


def test_layers_import_only_what_architecture_allows():
    violations = []
    for file in SRC.rglob("*.py"):
        relative = file.relative_to(SRC)
        layer = relative.parts[0] if len(relative.parts) > 1 else None
        if layer not in ALLOWED:
            continue
        for node in ast.walk(ast.parse(file.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                target = _layer(name)
                if target is None:
                    continue
                if target not in ALLOWED[layer] and target != "":
                    violations.append(f"{relative}: imports {name}")
    assert violations == []


def test_every_layer_in_the_table_exists():
    present = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert set(ALLOWED) <= present


def test_readme_lists_every_check():
    from apivigil.checks.registry import REGISTRY

    readme = (SRC.parents[1] / "README.md").read_text()
    missing = [check_id for check_id in REGISTRY.ids if f"`{check_id}`" not in readme]
    assert missing == []
