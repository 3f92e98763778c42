"""The dashboard's protections and pages over real HTTPS (httpx), before any browser."""

from __future__ import annotations

import re
import time

from sqlalchemy import create_engine, text

from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring
from tests.alerts.test_webhooks import Receiver
from tests.fixtures.apps.reports import hostile_api
from tests.fleet.support import wait_until
from tests.reporting.tools import chromium
from tests.server.conftest import ADMIN_PASSWORD, csrf_token

SECRET_PASSWORD = "s3cret-Target-Passw0rd"


def without_token(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page)


def test_anonymous_visitors_only_see_the_login_page(dashboard):
    with dashboard.client() as client:
        for path in ("/", "/webhooks", "/target?url=x", "/scans/1", "/diff?a=1&b=2"):
            answer = client.get(path)
            assert answer.status_code == 302 and answer.headers["location"].startswith("/login")
        page = client.get("/login")
        assert page.status_code == 200 and 'name="password"' in page.text
        headers = page.headers
        assert "default-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"
        cookie = headers["set-cookie"]
        assert cookie.startswith("__Host-apivigil=")
        for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            assert flag in cookie


def test_login_needs_csrf_right_password_and_is_throttled(dashboard):
    with dashboard.client() as client:
        token = csrf_token(client.get("/login").text)
        no_token = client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD})
        assert no_token.status_code == 400
        wrong = client.post("/login", data={"username": "admin", "password": "nope",
                                            "csrf_token": token})
        unknown = client.post("/login", data={"username": "nobody", "password": "nope",
                                              "csrf_token": token})
        assert wrong.status_code == unknown.status_code == 401
        assert "Wrong user name or password." in wrong.text
        assert without_token(wrong.text) == without_token(unknown.text)  # no enumeration
        right = client.post("/login?next=//evil.example/", data={
            "username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token})
        assert right.status_code == 302 and right.headers["location"] == "/"  # no open redirect
        token = csrf_token(client.get("/login").text)  # a new session has a new token
        statuses = [client.post("/login", data={"username": "admin", "password": "x",
                                                "csrf_token": token}).status_code
                    for _ in range(10)]
        assert statuses[-1] == 429


def test_admin_password_is_stored_hashed(dashboard):
    engine = create_engine(dashboard.db)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM dashboard_users")).scalar()
    engine.dispose()
    assert stored.startswith("$2b$") and ADMIN_PASSWORD not in stored


def test_forms_without_csrf_are_refused(dashboard):
    with dashboard.logged_in() as client:
        answer = client.post("/targets", data={"url": "https://127.0.0.1:1/"})
        assert answer.status_code == 400
        with History(dashboard.db) as history:
            assert Monitoring(history.engine).targets() == []


def test_scan_now_stores_a_scan_alerts_and_never_shows_the_credential(dashboard, serve,
                                                                      monkeypatch, tmp_path):
    chromium()  # for the PDF button
    monkeypatch.setenv("APIVIGIL_TEST_TARGET_CREDENTIAL", f"alice:{SECRET_PASSWORD}")
    target = serve(hostile_api(), tls="modern")
    receiver = Receiver(secret="set below")
    hook_url = serve(receiver.app).url + "/hook"
    with dashboard.logged_in() as client:
        token = csrf_token(client.get("/").text)
        created = client.post("/webhooks", data={"csrf_token": token, "url": hook_url,
                                                 "payload_format": "json",
                                                 "min_severity": "medium",
                                                 "on_grade_drop": "1"})
        assert created.status_code == 200
        secret = re.search(r'id="new-secret">.*?<code>X-Apivigil-Signature</code>.*?<code>'
                           r'([^<]+)</code>', created.text, re.S)
        assert secret, "the new webhook's secret is shown once"
        receiver.secret = secret.group(1)
        assert secret.group(1) not in client.get("/webhooks").text  # only once
        added = client.post("/targets", data={
            "csrf_token": token, "name": "hostile", "url": target.url + "/",
            "cacert": str(dashboard.ca_path), "checks": "encryption.hsts",
            "credential_env": "APIVIGIL_TEST_TARGET_CREDENTIAL"})
        assert added.status_code == 302
        page = client.get(added.headers["location"])
        assert "APIVIGIL_TEST_TARGET_CREDENTIAL" in page.text
        with History(dashboard.db) as history:
            target_id = Monitoring(history.engine).targets()[0].id
        queued = client.post(f"/targets/{target_id}/scan", data={"csrf_token": token})
        assert queued.status_code == 302
        deadline = time.monotonic() + 60
        with History(dashboard.db) as history:
            while not history.scans() and time.monotonic() < deadline:
                time.sleep(0.3)
            scans = history.scans()
        assert len(scans) == 1
        pages = [client.get(path).text for path in (
            "/", added.headers["location"], f"/scans/{scans[0].id}", "/webhooks")]
        assert "HSTS header missing" in pages[2]
        # The alert reached the receiver, signed with the secret, and the log says so.
        assert wait_until(lambda: receiver.accepted, timeout=30)
        assert receiver.accepted[0]["scan_id"] == scans[0].id
        log = client.get("/webhooks").text
        assert "delivered" in log and f"/scans/{scans[0].id}" in log
        # The PDF button gives the report as a PDF.
        document = client.get(f"/scans/{scans[0].id}/report.pdf")
        assert document.status_code == 200
        assert document.headers["content-type"] == "application/pdf"
        assert document.content.startswith(b"%PDF-")
        for page in pages:
            assert SECRET_PASSWORD not in page
        # The XSS payloads of the hostile target are shown as text.
        assert "&lt;script&gt;document.title=&#39;PWNED&#39;" in pages[2]
        assert "<script>document.title" not in pages[2]


def test_bad_input_is_one_clear_message(dashboard):
    with dashboard.logged_in() as client:
        token = csrf_token(client.get("/").text)
        bad_cron = client.post("/targets", data={"csrf_token": token, "url": "https://x.test/",
                                                  "schedule": "every day"})
        assert bad_cron.status_code == 400 and "5 cron fields" in bad_cron.text
        bad_url = client.post("/targets", data={"csrf_token": token, "url": "ftp://x/"})
        assert bad_url.status_code == 400 and "http:// or https://" in bad_url.text
        assert client.get("/scans/999").status_code == 404
        assert client.get("/nothing-here").status_code == 404
