"""Reports of real scans of the hostile fixture API and its tidy twin (see fixtures/apps)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apivigil.core.models import Report
from tests.fixtures.apps.reports import hostile_api, tidy_api

CHECKS = ("encryption.hsts", "authentication.enforcement")


@pytest.fixture
def hostile_report(serve: Callable[..., object], run_scan: Callable[..., Report]) -> Report:
    server = serve(hostile_api(), tls="modern")
    return run_scan(server.url + "/", checks=CHECKS)  # type: ignore[attr-defined]


@pytest.fixture
def tidy_report(serve: Callable[..., object], run_scan: Callable[..., Report]) -> Report:
    server = serve(tidy_api(), tls="modern")
    return run_scan(server.url + "/", checks=CHECKS)  # type: ignore[attr-defined]
