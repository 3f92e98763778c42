"""Every fix example a report can show is scanned by a test (test_*_fixes.py, through
harness.verify) or says in its own text why it cannot be."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import apivigil
import apivigil.checks
from apivigil.core.models import CodeExample, Framework, Remediation
from apivigil.remediation import examples, fixes
from tests.remediation.harness import Scenario, example_of

HERE = Path(__file__).parent


def all_scenarios() -> dict[tuple[str, Framework], Scenario]:
    """The SCENARIOS of every test_*_fixes.py module in this folder."""
    found: dict[tuple[str, Framework], Scenario] = {}
    for module_info in pkgutil.iter_modules([str(HERE)]):
        if module_info.name.startswith("test_") and module_info.name.endswith("_fixes"):
            module = importlib.import_module(f"tests.remediation.{module_info.name}")
            overlap = found.keys() & module.SCENARIOS.keys()
            assert not overlap, f"{module_info.name} scans {overlap} again"
            found.update(module.SCENARIOS)
    return found


def _shown_examples() -> list[tuple[str, CodeExample]]:
    """Every example a report can show: those of the check modules' remediations."""
    found: dict[str, tuple[str, CodeExample]] = {}

    def collect(where: str, value: object) -> None:
        if isinstance(value, Remediation):
            for example in value.examples:
                found.setdefault(example.code, (where, example))
        elif isinstance(value, dict):
            for item in value.values():
                collect(where, item)
        elif isinstance(value, tuple | list):
            for item in value:
                collect(where, item)

    for module_info in pkgutil.walk_packages(apivigil.checks.__path__, "apivigil.checks."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            collect(f"{module_info.name}.{name}", value)
    return list(found.values())


def test_every_example_a_report_can_show_is_scanned_or_says_why_not():
    scenarios = all_scenarios()
    tested = {example_of(fix, fw).code for fix, fw in scenarios}
    # the complete hardened APIs are shown by the docs pages, tested by test_hardened_docs
    files = {e.code for fix in fixes() if fix != "hardened-basic-auth" for e in examples(fix)}
    shown = _shown_examples()
    missing = [f"{where} ({example.framework.value})" for where, example in shown
               if example.code not in tested and not example.untested]
    assert missing == []
    # every example file is scanned or says why not
    unproven = sorted(f"{fix}/{e.framework.value}" for fix in fixes()
                      if fix != "hardened-basic-auth" for e in examples(fix)
                      if e.code not in tested and not e.untested)
    assert unproven == []
    # the examples files are all shown by some check, and the tested ones carry no excuse
    assert files <= {example.code for _, example in shown}
    assert all(example_of(fix, fw).untested is None for fix, fw in scenarios)


def test_built_in_checks_show_only_the_example_files():
    """No check writes a code example inline: each is a file that a test runs (or that says
    why it cannot be run), so what a report shows is what was tested."""
    files = {e.code for fix in fixes() for e in examples(fix)}
    assert {example.code for _, example in _shown_examples()} <= files
    src = Path(apivigil.__file__).parent
    inline = [str(path.relative_to(src)) for path in src.rglob("*.py")
              if "CodeExample(" in path.read_text(encoding="utf-8")
              and path.relative_to(src).parts[0] not in ("core", "remediation")]
    assert inline == []
