"""Helpers for asserting what a user would see in a report."""

from __future__ import annotations

from collections.abc import Mapping

from apivigil.core.models import Report, Severity


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def rule_ids(report: Report) -> set[str]:
    return {f.id for f in report.findings}


def above_low(report: Report) -> list[str]:
    """Findings a clean app must not produce (the precision promise: nothing above low)."""
    return [f"{f.id} ({f.severity.value})" for f in report.findings
            if f.severity.rank > Severity.LOW.rank]


def outcome(report: Report, check: str) -> str:
    return next(o.status.value for o in report.checks if o.check == check)


def assert_completed(report: Report, expect: Mapping[str, str] | None = None) -> None:
    """Fail when a selected check did not complete (skipped, error or inconclusive), unless
    `expect` names it with that status, e.g. `expect={"encryption.tls": "skipped"}`.

    "No finding" from a check that never ran, crashed or was throttled proves nothing, so every
    test that asserts silence on a clean twin calls this first.
    """
    expect = dict(expect or {})
    wrong = []
    for o in report.checks:
        wanted = expect.pop(o.check, "completed")
        if o.status.value != wanted:
            wrong.append(f"{o.check}: {o.status.value} (expected {wanted}): {o.reason}")
    assert not expect, f"expected checks that were not selected: {sorted(expect)}"
    assert not wrong, "checks that did not end as expected:\n" + "\n".join(wrong)
    assert report.checks, "no check was selected"


def assert_silent(report: Report, expect: Mapping[str, str] | None = None) -> None:
    """The clean-twin promise: every selected check completed and nothing is above low."""
    assert_completed(report, expect)
    assert above_low(report) == []


class Recorder:
    """WSGI middleware that records what the server received (to assert on what was sent)."""

    def __init__(self, app):  # type: ignore[no-untyped-def]
        self.app = app
        self.requests: list[dict[str, str]] = []

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        self.requests.append({
            "method": environ["REQUEST_METHOD"],
            "path": environ.get("PATH_INFO", ""),
            "query": environ.get("QUERY_STRING", ""),
            "authorization": environ.get("HTTP_AUTHORIZATION", ""),
            "headers": " ".join(f"{k}={v}" for k, v in environ.items() if k.startswith("HTTP_")),
        })
        return self.app(environ, start_response)


class RawServer:
    """A TCP server on 127.0.0.1 whose handler writes whatever bytes a hostile target would."""

    def __init__(self, handler):  # type: ignore[no-untyped-def]
        import socket
        import threading

        self.handler = handler
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stopped = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        import threading

        while not self._stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn) -> None:  # type: ignore[no-untyped-def]
        try:
            conn.settimeout(5)
            conn.recv(65536)
            self.handler(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopped = True
        self.sock.close()
