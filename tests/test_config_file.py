"""The config file reader on its own: discovery, key spelling, per-command tables, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from apivigil import config_file
from apivigil.core.errors import UsageError

KNOWN = {"scan": {"url", "fail_on", "checks", "output", "header", "max_requests", "config"},
         "demo": {"fail_on", "output", "hardened", "config"}}


class Command:
    """The two attributes of a click command that `defaults_for` reads."""

    def __init__(self, name, params):
        self.name, self.params = name, [Param(p) for p in params]


class Param:
    def __init__(self, name):
        self.name, self.multiple = name, name in ("checks", "output", "header")


def test_discovery_prefers_apivigil_toml(tmp_path):
    assert config_file.discover(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert config_file.discover(tmp_path) is None  # no [tool.apivigil] table
    (tmp_path / "pyproject.toml").write_text('[tool.apivigil]\nfail-on = "high"\n')
    assert config_file.discover(tmp_path) == tmp_path / "pyproject.toml"
    (tmp_path / ".apivigil.toml").write_text('fail-on = "low"\n')
    assert config_file.discover(tmp_path) == tmp_path / ".apivigil.toml"


def test_keys_tables_and_lists(tmp_path):
    path = tmp_path / ".apivigil.toml"
    path.write_text('fail-on = "high"\nchecks = "encryption"\nmax_requests = 50\n'
                    '[demo]\nfail-on = "critical"\n'
                    '[[ignore]]\nrule = "encryption.*"\nreason = "r"\nexpires = 2030-01-02\n')
    loaded = config_file.load(path, KNOWN)
    scan = loaded.defaults_for(Command("scan", KNOWN["scan"]))
    assert scan == {"fail_on": "high", "checks": ["encryption"], "max_requests": 50}
    demo = loaded.defaults_for(Command("demo", KNOWN["demo"]))
    assert demo == {"fail_on": "critical"}  # the [demo] table wins; scan-only keys left out
    assert loaded.ignore[0].rule == "encryption.*"
    assert loaded.ignore[0].expires == date(2030, 1, 2)


@pytest.mark.parametrize(("text", "message"), [
    ('user = "a:b"', "APIVIGIL_USER"),
    ('header = "X-Api-Key: 123"', "looks like a credential"),
    ('header = ["Accept: x", "X-Thing: Bearer abc"]', "looks like a credential"),
    ('colour = "red"', "unknown option(s) colour"),
    ('[[ignore]]\nreason = "why"', "needs a rule id"),
    ('[[ignore]]\nrule = "a.b"\nreason = "r"\nexpires = "soon"', "must be a date"),
    ('[[ignore]]\nrule = "a.b"\nreason = "r"\nuntil = 2030-01-01', "unknown key(s)"),
    ("fail-on = ", "not valid TOML"),
])
def test_refusals(tmp_path, text, message):
    path = tmp_path / ".apivigil.toml"
    path.write_text(text + "\n")
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config_file.load(path, KNOWN)
