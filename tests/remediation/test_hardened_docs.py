"""docs/hardened-*-basic-auth.md: the complete hardened API of each page, taken from the page
itself, served over real TLS (and http:// on another port) and scanned with every check:
grade A, nothing above low. The page's code is the tested fix examples put together
(apivigil.remediation.assemble), so reports and docs cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from apivigil.core.models import Framework
from apivigil.remediation.assemble import hardened_basic_auth
from tests.fixtures.apps.fix_twins import PASSWORD, USER
from tests.remediation.harness import CAROL, fastapi_https_port, flask_https_port
from tests.support import above_low, port_of

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = {Framework.FLASK: "hardened-flask-basic-auth.md",
         Framework.FASTAPI: "hardened-fastapi-basic-auth.md"}


def code_of(page: str) -> str:
    """The page's one Python block: the whole app."""
    blocks = re.findall(r"^```python\n(.*?)^```$", (DOCS / page).read_text(), re.S | re.M)
    assert len(blocks) == 1
    return blocks[0]


@pytest.mark.parametrize("framework", [f for f in PAGES if (DOCS / PAGES[f]).exists()],
                         ids=lambda f: f.value)
def test_the_documented_app_grades_a_with_nothing_above_low(framework, serve, serve_asgi,
                                                            run_scan):
    code = code_of(PAGES[framework])
    # the page shows the tested examples put together (scripts/hardened_docs.py writes it)
    assert code == hardened_basic_auth(framework)
    assert f'"{USER}": bcrypt.hashpw(b"{PASSWORD}"' in code
    namespace: dict[str, Any] = {"__name__": "hardened_api"}
    # as a user runs the page's code: not under this module's `from __future__` imports
    exec(compile(code, PAGES[framework], "exec", dont_inherit=True), namespace)
    app = namespace["app"]
    if framework is Framework.FASTAPI:
        https = serve_asgi(app, proxy_headers=False)  # as the page says to run it
        fastapi_https_port(app, port_of(https))
        http = serve_asgi(app, tls=False, proxy_headers=False)
        target = https + "/"
    else:
        https = serve(app, tls="modern").url
        flask_https_port(app, port_of(https))
        http = serve(app).url
        target = https + "/api/data"
    # bcrypt at its default cost is slow on a loaded machine: a generous timeout
    report = run_scan(target, http_port=port_of(http), credentials=CAROL, timeout=20.0)
    assert report.grade == "A"
    assert above_low(report) == []
    assert [o.check for o in report.checks if o.status.value == "error"] == []
    # what was throttled is said, never passed off as clean
    assert "rate_limiting.login-throttled" in {f.id for f in report.findings}
    throttled = [n for n in report.notices if "throttled" in n]
    assert all("inconclusive" in n for n in throttled)
