"""Identities (--identity): syntax, verification in preflight, cleartext rule, redaction."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from apivigil.core.config import Credentials, Identity, ScanOptions
from apivigil.core.errors import CleartextCredentialError, ScanError, UsageError
from apivigil.engine.runner import build_redactor
from apivigil.http.client import ClientLimits, ProbeClient, TlsSettings
from tests.fixtures.apps.authz_api import SPEC, USERS, authz_api, identity

TOKEN = "tok-3f9a8b7c6d5e"


def test_identity_syntax():
    alice = Identity.parse("alice=alice:pa:ss")
    assert (alice.name, alice.role, alice.username, alice.credentials.password) == (
        "alice", None, "alice", "pa:ss")
    admin = Identity.parse("admin:role=admin=root:secret")
    assert (admin.name, admin.role, admin.username) == ("admin", "admin", "root")
    bot = Identity.parse(f"bot:role=service=Authorization: Bearer {TOKEN}")
    assert (bot.role, bot.header, bot.credentials) == (
        "service", ("Authorization", f"Bearer {TOKEN}"), None)
    assert bot.auth_headers() == {"Authorization": f"Bearer {TOKEN}"}
    assert "secret" not in repr(admin) and TOKEN not in repr(bot)


@pytest.mark.parametrize("value", ["alice", "alice=", "=u:p", "a b=u:p", "a:role=x=nocolon",
                                   "a:rol=x=u:p"])
def test_bad_identity_is_a_usage_error(value):
    with pytest.raises(UsageError):
        Identity.parse(value)


def test_u_is_the_primary_identity():
    options = ScanOptions(url="https://127.0.0.1/", credentials=Credentials("carol", "pw-123"),
                          identities=(Identity.parse("bob=bob:pw-456"),))
    assert [i.name for i in options.all_identities()] == ["user", "bob"]


def test_every_identity_secret_is_registered_and_refused_over_http():
    options = ScanOptions(url="http://127.0.0.1/", identities=(
        Identity.parse("alice=alice:alice-pass-1234"),
        Identity.parse(f"bot=X-Api-Key: {TOKEN}")))
    redactor = build_redactor(options)
    assert redactor.text("alice-pass-1234 and " + TOKEN) == "[REDACTED] and [REDACTED]"
    client = ProbeClient("127.0.0.1", ClientLimits(), TlsSettings(), redactor)
    try:
        for headers in (options.identities[0].auth_headers(), options.identities[1].auth_headers()):
            with pytest.raises(CleartextCredentialError):
                client.get("http://127.0.0.1:9/", headers=headers)
    finally:
        client.close()


def test_rejected_identity_stops_the_scan(serve, run_scan, tmp_spec):
    https = serve(authz_api(), tls="modern")
    wrong = Identity.parse("bob=bob:not-bobs-password")
    with pytest.raises(ScanError) as error:
        run_scan(https.url, spec=tmp_spec(SPEC),
                 identities=(Identity.parse(identity("alice")), wrong))
    assert "identity 'bob' was rejected" in str(error.value)
    assert "not-bobs-password" not in str(error.value)


def test_cleartext_target_withholds_identities(serve, run_scan):
    app = authz_api(check_owner=False)
    http = serve(app)
    report = run_scan(http.url + "/api/notes", checks=("bola", "bfla", "property_authorization"),
                      identities=(Identity.parse(identity("alice")),
                                  Identity.parse(identity("bob"))))
    assert report.findings == []
    assert {o.status.value for o in report.checks} == {"skipped"}
    assert any("identities withheld" in n for n in report.notices)
    assert all(r["user"] is None for r in app.config["RECEIVED"])


@pytest.mark.parametrize("output", [["--format", "json"], ["--verbose"]])
def test_cli_identities_never_print_a_password(serve, authority, tmp_spec, output):
    https = serve(authz_api(check_owner=False, filter_users=False, check_role=False),
                  tls="modern")
    result = subprocess.run(
        [sys.executable, "-m", "apivigil", "scan", https.url, "--spec", tmp_spec(SPEC),
         "--cacert", str(authority.ca_path), "--rate", "0", "--checks",
         "bola,bfla,property_authorization", *output,
         "--identity", identity("alice", "user"), "--identity", identity("bob", "user"),
         "--identity", identity("root", "admin")],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    if output[0] == "--format":
        found = {f["id"] for f in json.loads(result.stdout)["findings"]}
        assert {"bola.cross-identity-read", "bfla.admin-function-allowed",
                "property_authorization.other-user-private-property"} <= found
    else:
        assert "bola.cross-identity-read" in result.stdout
    for password, *_ in USERS.values():
        assert password not in result.stdout + result.stderr


def test_cli_bad_identity_is_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "apivigil", "scan", "https://127.0.0.1/", "--identity", "nope"],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "NAME[:role=ROLE]=USER:PASSWORD" in result.stderr


def test_identity_names_stay_unique_with_u():
    options = ScanOptions(url="https://127.0.0.1/", credentials=Credentials("carol", "pw-123"),
                          identities=(Identity.parse("user=bob:pw-456"),))
    assert [i.name for i in options.all_identities()] == ["-u", "user"]
