"""Alerts delivered to a real loopback receiver that verifies the signature exactly as the
README tells receivers to (the snippet below is the README's), and rejects a replay."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time

import httpx
import pytest
from flask import Flask, request

from apivigil.alerts.rules import AlertRule, evaluate
from apivigil.alerts.signing import SIGNATURE_HEADER, SignatureError, sign, verify
from apivigil.alerts.webhooks import deliver, notify
from apivigil.core.models import Grade, Severity
from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring
from tests.fixtures.apps.reports import hostile_api

SECRET = "whsec-test-0123456789"


# --- the README's verification snippet, verbatim ----------------------------------------------
def verify_apivigil(secret: str, header: str, body: bytes, seen: set[str],
                    window: int = 300) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(","))
    message = f"{fields['t']}.{fields['id']}.".encode() + body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["v1"]):
        return False  # not signed with our secret, or the body was changed
    if abs(time.time() - int(fields["t"])) > window:
        return False  # too old (or from the future): a replay
    if fields["id"] in seen:
        return False  # this delivery was already received: a replay
    seen.add(fields["id"])  # keep ids for the window's length
    return True
# ------------------------------------------------------------------------------------------------


class Receiver:
    """A Flask webhook receiver; `fail_first` answers 503 to that many requests first."""

    def __init__(self, fail_first: int = 0, status: int = 200, secret: str = SECRET) -> None:
        self.secret = secret
        self.accepted: list[dict[str, object]] = []
        self.raw: list[tuple[dict[str, str], bytes]] = []
        self.rejected = 0
        self.hits = 0
        self.fail_first, self.status = fail_first, status
        self.seen: set[str] = set()
        self.lock = threading.Lock()
        app = Flask("receiver")

        @app.post("/hook")
        def hook():  # type: ignore[no-untyped-def]
            with self.lock:
                self.hits += 1
                if self.hits <= self.fail_first:
                    return "busy", 503
                body = request.get_data()
                header = request.headers.get(SIGNATURE_HEADER, "")
                self.raw.append((dict(request.headers), body))
                if not verify_apivigil(self.secret, header, body, self.seen):
                    self.rejected += 1
                    return "bad signature", 401
                self.accepted.append(json.loads(body))
                return "", self.status

        self.app = app


@pytest.fixture
def scanned(serve, run_scan, tmp_path):
    """A history with a clean first scan and a second, real scan with new findings."""
    server = serve(hostile_api(), tls="modern")
    second = run_scan(server.url + "/", checks=("encryption.hsts", "authentication.enforcement"))
    assert any(f.severity.at_least(Severity.MEDIUM) for f in second.findings)
    first = second.model_copy(update={"findings": [], "score": 100, "grade": Grade.A})
    history = History(f"sqlite:///{tmp_path / 'h.db'}")
    history.save(first)
    scan_id = history.save(second)
    yield history, Monitoring(history.engine), scan_id
    history.close()


def test_signed_alert_is_verified_and_a_replay_is_rejected(scanned, serve):
    history, monitoring, scan_id = scanned
    receiver = Receiver()
    url = serve(receiver.app).url + "/hook"
    monitoring.add_webhook(url=url, secret=SECRET, min_severity="medium")

    assert notify(history, monitoring, scan_id, backoff=0.05) == 1
    assert len(receiver.accepted) == 1 and receiver.rejected == 0
    alert = receiver.accepted[0]
    assert alert["scan_id"] == scan_id and alert["grade_after"] == "A"
    assert "new finding(s) at or above medium" in alert["reasons"][0]
    assert any(f["title"] == "HSTS header missing" for f in alert["new_findings"])

    # The exact same request again (headers and body): refused as a replay.
    headers, body = receiver.raw[0]
    replay = httpx.post(url, content=body, headers={SIGNATURE_HEADER: headers[SIGNATURE_HEADER]})
    assert replay.status_code == 401 and receiver.rejected == 1
    # A fresh id with the old signature: refused (the id is signed).
    fields = dict(p.split("=", 1) for p in headers[SIGNATURE_HEADER].split(","))
    forged = f"t={fields['t']},id=ffff{fields['id'][4:]},v1={fields['v1']}"
    assert httpx.post(url, content=body, headers={SIGNATURE_HEADER: forged}).status_code == 401
    # Correctly signed but ten minutes old: outside the replay window.
    old = sign(SECRET, body, "an-old-delivery", int(time.time()) - 600)
    assert httpx.post(url, content=body, headers={SIGNATURE_HEADER: old}).status_code == 401
    # A changed body under the original signature: refused.
    tampered = body.replace(b'"grade_after":"A"', b'"grade_after":"B"')
    assert httpx.post(url, content=tampered,
                      headers={SIGNATURE_HEADER: sign("wrong", body, "x")}).status_code == 401
    assert len(receiver.accepted) == 1

    log = monitoring.deliveries()
    assert [(d.attempt, d.status_code, d.ok) for d in log] == [(1, 200, True)]


def test_library_verify_matches_the_snippet():
    body = b'{"event":"scan.alert"}'
    header = sign(SECRET, body, "d1")
    seen: set[str] = set()
    assert verify(SECRET, header, body, seen=seen).delivery_id == "d1"
    with pytest.raises(SignatureError, match="replay"):
        verify(SECRET, header, body, seen=seen)
    with pytest.raises(SignatureError, match="window"):
        verify(SECRET, header, body, now=time.time() + 301)
    with pytest.raises(SignatureError, match="does not match"):
        verify("other", header, body)
    with pytest.raises(SignatureError, match="malformed"):
        verify(SECRET, "v1=abc", body)


def test_retries_with_backoff_until_delivered_and_logs_each_attempt(scanned, serve):
    history, monitoring, scan_id = scanned
    receiver = Receiver(fail_first=2)
    monitoring.add_webhook(url=serve(receiver.app).url + "/hook", secret=SECRET,
                           min_severity="medium")
    started = time.monotonic()
    assert notify(history, monitoring, scan_id, backoff=0.2) == 1
    elapsed = time.monotonic() - started
    assert elapsed >= 0.2 + 0.4  # waited 0.2 s, then 0.4 s
    assert len(receiver.accepted) == 1  # the third attempt
    log = sorted(monitoring.deliveries(), key=lambda d: d.attempt)
    assert [(d.attempt, d.status_code, d.ok) for d in log] == [(1, 503, False), (2, 503, False),
                                                               (3, 200, True)]
    assert len({d.delivery_id for d in log}) == 1  # one delivery, retried


def test_a_refusal_is_not_retried_and_an_unreachable_receiver_gives_up(scanned, serve):
    history, monitoring, scan_id = scanned
    receiver = Receiver(status=400)
    monitoring.add_webhook(url=serve(receiver.app).url + "/hook", secret=SECRET,
                           min_severity="medium")
    assert notify(history, monitoring, scan_id, backoff=0.01) == 0
    assert receiver.hits == 1
    closed = serve(Receiver().app)
    dead_url = closed.url + "/hook"
    closed.stop()
    hook = monitoring.add_webhook(url=dead_url, secret=SECRET, min_severity="medium")
    report = history.report(scan_id)
    alert = evaluate(AlertRule(Severity.MEDIUM), None, report, scan_id)
    assert alert is not None
    attempts = []
    assert not deliver(hook, alert, attempts=3, backoff=0.01, log=attempts.append)
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert all(a.error and "Connect" in a.error for a in attempts)


def test_slack_payload_and_rules(scanned, serve):
    history, monitoring, scan_id = scanned
    receiver = Receiver()
    monitoring.add_webhook(url=serve(receiver.app).url + "/hook", secret=SECRET,
                           payload_format="slack", min_severity="medium")
    assert notify(history, monitoring, scan_id) == 1
    text = receiver.accepted[0]["text"]
    assert set(receiver.accepted[0]) == {"text"}
    assert "grade A -> A" in text and "[MEDIUM] HSTS header missing" in text

    report = history.report(scan_id)
    worse = report.model_copy(update={"grade": Grade.C, "score": 70})
    alert = evaluate(AlertRule(min_severity=None), report, worse, scan_id + 1)
    assert alert is not None and alert.reasons == ("grade dropped from A to C",)
    # The same findings again and no drop: no alert; nothing above critical: no alert.
    assert evaluate(AlertRule(Severity.LOW), report, report, scan_id) is None
    assert evaluate(AlertRule(Severity.CRITICAL, on_grade_drop=False), None, report, 1) is None
