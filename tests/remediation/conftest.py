"""The `verify_fix` fixture: harness.verify with the serving and scanning fixtures bound."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from apivigil.core.models import Framework, Report
from tests.remediation.harness import Scenario, verify


@pytest.fixture
def verify_fix(serve: Any, serve_asgi: Any, run_scan: Callable[..., Report], authority: Any,
               tmp_path: Path) -> Callable[..., tuple[Report, Report]]:
    """verify_fix(SCENARIOS, fix, framework) -> (twin's report, fixed app's report)."""

    def run(scenarios: Mapping[tuple[str, Framework], Scenario], fix: str,
            framework: Framework) -> tuple[Report, Report]:
        return verify(fix, framework, scenarios[(fix, framework)], serve=serve,
                      serve_asgi=serve_asgi, run_scan=run_scan, authority=authority,
                      tmp_path=tmp_path)

    return run
