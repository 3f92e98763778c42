"""Typed check settings: `--set` refuses unknown names and bad values (exit 2) instead of
silently ignoring them or turning them into something else."""

from __future__ import annotations

import subprocess
import sys

import pytest

from apivigil.core.config import ScanOptions
from apivigil.core.errors import ExitCode, UsageError
from apivigil.engine.runner import Scanner, known_settings, resolve_settings


def test_every_setting_has_a_type_a_default_and_help():
    settings = known_settings()
    assert {"discover_spec", "login_burst", "admin_roles", "timing_max_pairs",
            "injection_requests", "fuzz_requests", "bulk_email_threshold"} <= set(settings)
    for setting in settings.values():
        assert setting.help and setting.describe()
        assert setting.parse(setting.default) == setting.default


def test_defaults_fill_what_was_not_given_and_values_are_typed():
    resolved = resolve_settings({"login_burst": "20", "discover_spec": "no",
                                 "admin_roles": "manager,ops"})
    assert resolved["login_burst"] == 20
    assert resolved["discover_spec"] is False
    assert resolved["admin_roles"] == ("manager", "ops")  # not the letters m, a, n, ...
    assert resolved["timing_max_pairs"] == known_settings()["timing_max_pairs"].default


@pytest.mark.parametrize(("name", "value", "message"), [
    ("discover_spec", "flase", "--set discover_spec takes true or false, got 'flase'"),
    ("login_burst", -5, "--set login_burst takes integer 5..100, got -5"),
    ("login_burst", "abc", "--set login_burst takes integer 5..100, got 'abc'"),
    ("login_burst", 2.5, "--set login_burst takes integer 5..100, got 2.5"),
    ("admin_roles", "man ager", "--set admin_roles takes comma-separated names"),
])
def test_bad_values_are_usage_errors(name, value, message):
    with pytest.raises(UsageError) as caught:
        resolve_settings({name: value})
    assert str(caught.value).startswith(message)
    assert caught.value.exit_code is ExitCode.USAGE


def test_unknown_name_is_a_usage_error_naming_the_known_ones():
    with pytest.raises(UsageError, match=r"unknown setting 'login_brust'.*login_burst"):
        resolve_settings({"login_brust": 20})


def test_the_scanner_refuses_bad_settings_before_sending_anything():
    # Port 9 on loopback: nothing is sent, the settings are refused first.
    with pytest.raises(UsageError):
        Scanner(ScanOptions(url="http://127.0.0.1:9/", settings={"login_burst": "abc"}))


@pytest.mark.parametrize(("option", "message"), [
    ("login_burst=abc", "--set login_burst takes integer 5..100, got 'abc'"),
    ("discover_spec=flase", "--set discover_spec takes true or false, got 'flase'"),
    ("login_brust=20", "unknown setting 'login_brust'"),
])
def test_cli_refuses_bad_settings_with_one_line_and_exit_2(option, message):
    result = subprocess.run(
        [sys.executable, "-m", "apivigil", "scan", "http://127.0.0.1:9/", "--set", option,
         "--no-store"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith(f"apivigil: error: {message}")
    assert result.stderr.count("\n") == 1


def test_apivigil_checks_lists_every_setting():
    result = subprocess.run([sys.executable, "-m", "apivigil", "checks"], capture_output=True,
                            text=True, timeout=60, check=True)
    for name, setting in known_settings().items():
        assert f"--set {name}=<{setting.describe()}>" in result.stdout
