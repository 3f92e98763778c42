"""The hardened apps are the fix examples put together: what the assembler keeps, refines,
refuses and reorders, and that its output is code ruff accepts as the project writes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apivigil.core.models import Framework
from apivigil.remediation.assemble import assemble_code, hardened_basic_auth

ROOT = Path(__file__).resolve().parents[2]

BASE = '''"""Base."""

from flask import Flask, jsonify

app = Flask(__name__)
LIMIT = 10  # a comment on the limit


@app.get("/items")
def items():
    return jsonify([])
'''

LIMITED = '''"""Limited."""

from flask import Flask, jsonify
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
LIMIT = 10
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")


@app.get("/items")
@limiter.limit("1 per second")
def items():
    return jsonify([])
'''


def test_shared_statements_are_kept_once_and_a_refined_view_comes_after_what_it_uses():
    code = assemble_code("Both.", [("base", BASE), ("limited", LIMITED)])
    assert code.count("app = Flask(__name__)") == 1
    assert code.count("LIMIT = 10") == 1
    assert "# a comment on the limit" in code  # the first example's comments stay
    assert code.count("def items") == 1 and '@limiter.limit("1 per second")' in code
    assert code.index("limiter = Limiter(") < code.index("def items")
    assert "from flask_limiter import Limiter\n" in code
    namespace: dict[str, object] = {"__name__": "assembled"}
    exec(compile(code, "<assembled>", "exec"), namespace)  # it runs
    assert sorted(r.rule for r in namespace["app"].url_map.iter_rules()) == [  # type: ignore[attr-defined]
        "/items", "/static/<path:filename>"]


def test_examples_that_disagree_on_anything_but_a_function_are_refused():
    other = BASE.replace("LIMIT = 10", "LIMIT = 1000")
    with pytest.raises(ValueError, match="disagree on `= LIMIT`"):
        assemble_code("Both.", [("base", BASE), ("other", other)])


@pytest.mark.parametrize("framework", [Framework.FLASK, Framework.FASTAPI],
                         ids=lambda f: f.value)
def test_the_hardened_app_is_lint_clean_and_has_every_part(framework):
    code = hardened_basic_auth(framework)
    linted = subprocess.run(
        [str(Path(sys.executable).with_name("ruff")), "check", "--no-cache", "--select",
         "E,W,F,I,B", "--stdin-filename", "hardened_app.py", "-"],
        input=code, capture_output=True, text=True, cwd=ROOT, check=False)
    assert linted.returncode == 0, linted.stdout
    # what each part is there for
    expected = {Framework.FLASK: ["def require_https", "auth = HTTPBasicAuth(", "DUMMY_HASH =",
                                  "def unexpected_error", "limiter = Limiter("],
                Framework.FASTAPI: ["async def https_only", "security = HTTPBasic(",
                                    "DUMMY_HASH =", "async def generic_errors",
                                    "failures = strategies."]}
    assert [line for line in expected[framework] if line not in code] == []
