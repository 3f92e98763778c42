"""`apivigil serve` as a user starts it: first start creates the admin account and prints its
password once; the dashboard answers; bad usage is one line and exit 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx

from tests.reporting.cli import apivigil
from tests.server.conftest import csrf_token


def test_first_start_prints_the_admin_password_once_and_it_logs_in(tmp_path):
    db = str(tmp_path / "history.db")
    env = {k: v for k, v in os.environ.items() if k not in ("APIVIGIL_ADMIN_PASSWORD",)}
    command = [sys.executable, "-c", "from apivigil.cli import main; main()", "serve",
               "--db", db, "--port", "0"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if "dashboard at" in line:
                break
        text = "".join(lines)
        password = re.search(r"'admin' with the password (\S+) ", text).group(1)
        url = re.search(r"dashboard at (http://127\.0\.0\.1:\d+)/", text).group(1)
        with httpx.Client(base_url=url, timeout=10) as client:
            token = csrf_token(client.get("/login").text)
            answer = client.post("/login", data={"username": "admin", "password": password,
                                                 "csrf_token": token})
            assert answer.status_code == 302 and answer.headers["location"] == "/"
            assert "Targets" in client.get("/").text
    finally:
        process.terminate()
        process.wait(timeout=20)
    # The second start finds the account: no new password is printed.
    again = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = again.stderr.readline()
        assert "dashboard at" in first and "password" not in first
    finally:
        again.terminate()
        again.wait(timeout=20)


def test_bad_usage_is_one_line(tmp_path):
    public = apivigil("serve", "--db", str(tmp_path / "h.db"), "--host", "0.0.0.0")
    assert public.returncode == 2
    assert public.stderr.startswith("apivigil: error: --host 0.0.0.0: serving plain HTTP")
    assert len(public.stderr.strip().splitlines()) == 1
    half = apivigil("serve", "--db", str(tmp_path / "h.db"), "--cert", str(tmp_path / "c"))
    assert half.returncode == 2 and "--cert and --key go together" in half.stderr
    no_broker = apivigil("worker", "--db", str(tmp_path / "h.db"),
                         env={"APIVIGIL_BROKER": ""})
    assert no_broker.returncode == 2 and "needs --broker" in no_broker.stderr


def test_a_missing_extra_is_named_in_one_line(tmp_path):
    """As if `pip install apivigil` without [server]/[mcp]/[fleet]: their imports fail."""
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'flask_wtf', 'mcp', 'celery'}:\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from apivigil.cli import main; main()\n")
    for command, extra in (("serve", "server"), ("mcp", "mcp"), ("worker", "fleet")):
        result = subprocess.run([sys.executable, "-c", blocker, command, "--db",
                                 str(tmp_path / "h.db")], capture_output=True, text=True,
                                timeout=60, env={**os.environ, "APIVIGIL_BROKER": "redis://x"})
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"apivigil: error: apivigil {command} needs the "
                                         f"optional dependencies of apivigil[{extra}]")
        assert f"pip install 'apivigil[{extra}]'" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    # and `apivigil --help` imports none of them
    helped = subprocess.run([sys.executable, "-c", blocker, "--help"], capture_output=True,
                            text=True, timeout=60)
    assert helped.returncode == 0 and "serve" in helped.stdout
