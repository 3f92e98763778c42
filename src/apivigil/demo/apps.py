"""The bundled demo API, in a vulnerable and a hardened version (same routes, same users).

The vulnerable app has the failures of apivigil's motivating case, each on purpose:
Basic Auth over cleartext HTTP, no HSTS, auth errors that tell unknown users from wrong
passwords (by body, status and timing), a credential check that compares only the password,
no throttling, an endpoint that echoes the credentials, the Werkzeug debugger, and a spec that
declares Basic Auth on an endpoint that does not enforce it. The hardened app fixes every one.

Never deploy either: they exist to be scanned on loopback.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import bcrypt
from flask import Flask, Response, jsonify, request
from werkzeug.debug import DebuggedApplication
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from apivigil.demo.spec import openapi_document

DEMO_USER = "alice"
DEMO_PASSWORD = "wonderland-demo-7"  # the demo's own test account, printed nowhere
_ROUNDS = 8  # bcrypt cost: measurable work, yet fast enough for a quick demo
USERS = {
    DEMO_USER: bcrypt.hashpw(DEMO_PASSWORD.encode(), bcrypt.gensalt(_ROUNDS)),
    "bob": bcrypt.hashpw(b"builder-demo-9", bcrypt.gensalt(_ROUNDS)),
}
# The vulnerable app's "single shared password hash" flaw (the widely copied snippet).
SHARED_HASH = USERS[DEMO_USER]
DUMMY_HASH = bcrypt.hashpw(b"dummy-password-for-constant-work", bcrypt.gensalt(_ROUNDS))
REPORTS = [{"id": 1, "title": "Q3 revenue", "owner": "alice"},
           {"id": 2, "title": "Q4 forecast", "owner": "bob"}]

WsgiApp = Callable[..., Any]


def _challenge(body: dict[str, str], status: int = 401) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["WWW-Authenticate"] = 'Basic realm="demo"'
    return response


# -- vulnerable ---------------------------------------------------------------------------


def vulnerable_app(urls: dict[str, str]) -> WsgiApp:
    app = Flask("apivigil-demo-vulnerable")
    # As with `flask run --debug`: errors reach the Werkzeug debugger instead of a generic 500.
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.get("/")
    def index() -> Response:
        return jsonify(service="demo API", docs="/openapi.json")

    @app.get("/openapi.json")
    def spec() -> Response:
        return jsonify(openapi_document(hardened=False, urls=urls))

    @app.get("/api/login")
    def login() -> Response:
        auth = request.authorization
        if auth is None:
            return _challenge({"error": "authentication required"})
        stored = USERS.get(auth.username or "")
        if stored is None:  # fast path: tells the attacker the user does not exist
            return _challenge({"error": f"unknown user '{auth.username}'"}, 404)
        if not bcrypt.checkpw((auth.password or "").encode(), stored):
            return _challenge({"error": "wrong password"})
        return jsonify(user=auth.username, token="demo-session")

    @app.get("/api/secure")
    def secure() -> Response:
        auth = request.authorization
        # BUG on purpose: compares only the password against one hash, ignores the username.
        if auth is None or not bcrypt.checkpw((auth.password or "").encode(), SHARED_HASH):
            return _challenge({"error": "bad credentials"})
        return jsonify(message=f"hello {auth.username}", secret_data=[1, 2, 3])

    @app.get("/api/whoami")
    def whoami() -> Response:
        auth = request.authorization
        if auth is None or USERS.get(auth.username or "") is None or not bcrypt.checkpw(
            (auth.password or "").encode(), USERS[auth.username or ""]
        ):
            return _challenge({"error": "bad credentials"})
        # BUG on purpose: echoes the credentials back.
        return jsonify(user=auth.username, password=auth.password,
                       authorization=request.headers.get("Authorization"))

    @app.get("/api/reports")
    def reports() -> Response:
        # BUG on purpose: the spec declares Basic Auth here, the code never checks it; it
        # trusts the user name in the header to filter, and without one it lists everything.
        claimed = request.authorization.username if request.authorization else None
        return jsonify(reports=[r for r in REPORTS if claimed in (None, r["owner"])])

    @app.get("/api/reports/<int:report_id>")
    def report(report_id: int) -> Response | tuple[Response, int]:
        auth = request.authorization
        stored = USERS.get(auth.username or "") if auth else None
        if auth is None or stored is None or not bcrypt.checkpw(
                (auth.password or "").encode(), stored):
            return _challenge({"error": "bad credentials"})
        # BUG on purpose: any logged-in user reads any report by id (no ownership check).
        found = [r for r in REPORTS if r["id"] == report_id]
        return jsonify(found[0]) if found else (jsonify(error="not found"), 404)

    @app.get("/api/debug/error")
    def crash() -> Response:
        raise RuntimeError("database connection string: postgres://demo@10.0.0.5/app")

    return DebuggedApplication(app, evalex=True)


# -- hardened -----------------------------------------------------------------------------


class FailureThrottle:
    """At most `limit` failed logins per key (a client address, or address and account) in
    `window` seconds, then 429."""

    def __init__(self, limit: int = 20, window: float = 10.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Seconds until the client may try again, or None when it is not throttled."""
        with self._lock:
            recent = self._trim(client)
            if len(recent) < self.limit:
                return None
            return max(1, int(recent[0] + self.window - time.monotonic()) + 1)

    def record_failure(self, client: str) -> None:
        with self._lock:
            self._trim(client).append(time.monotonic())

    def clear(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def _trim(self, client: str) -> deque[float]:
        recent = self._failures[client]
        while recent and recent[0] < time.monotonic() - self.window:
            recent.popleft()
        return recent


def hardened_app(urls: dict[str, str]) -> WsgiApp:
    app = Flask("apivigil-demo-hardened")
    # Failed logins are throttled per account from one address (guessing one password), and
    # per address overall (spraying many accounts). Keyed on the connection's address, never
    # on a header the client sets. Per-account keys let the scanner's own probes of different
    # accounts run without tripping each other; a guessing burst still meets a 429 quickly.
    per_account = FailureThrottle(limit=25, window=10.0)
    per_client = FailureThrottle(limit=300, window=10.0)

    def authenticated_user() -> str | Response:
        """The user name, or the response to send: generic 401, or 429 when throttled."""
        client = request.remote_addr or "unknown"
        try:
            auth = request.authorization
        except ValueError:  # Werkzeug raises on a non-ASCII Basic token: no credentials
            auth = None
        account = f"{client}|{auth.username if auth else ''}"
        wait = per_account.retry_after(account) or per_client.retry_after(client)
        if wait is not None:
            response = jsonify(error="too many failed attempts")
            response.status_code = 429
            response.headers["Retry-After"] = str(wait)
            return response
        if auth is not None and auth.type == "basic":
            stored = USERS.get(auth.username or "")
            # Same bcrypt work whether or not the user exists: no timing oracle. bcrypt
            # refuses passwords over 72 bytes: reject them as invalid instead of crashing.
            password = (auth.password or "").encode()
            valid = len(password) <= 72 and bcrypt.checkpw(password, stored or DUMMY_HASH)
            if valid and stored is not None:
                per_account.clear(account)  # a successful login resets its failure count
                return auth.username or ""
        if auth is not None:  # a request without credentials is not a guess
            per_account.record_failure(account)
            per_client.record_failure(client)
        return _challenge({"error": "invalid credentials"})

    def protected(view: Callable[[str], Response]) -> Callable[[], Response]:
        def wrapper() -> Response:
            user = authenticated_user()
            return user if isinstance(user, Response) else view(user)

        wrapper.__name__ = view.__name__
        return wrapper

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/")
    def index() -> Response:
        return jsonify(service="demo API")

    @app.get("/openapi.json")
    def spec() -> Response:
        return jsonify(openapi_document(hardened=True, urls=urls))

    @app.get("/api/login")
    @protected
    def login(user: str) -> Response:
        return jsonify(user=user)

    @app.get("/api/secure")
    @protected
    def secure(user: str) -> Response:
        return jsonify(message=f"hello {user}", secret_data=[1, 2, 3])

    @app.get("/api/whoami")
    @protected
    def whoami(user: str) -> Response:
        return jsonify(user=user)

    @app.get("/api/reports")
    @protected
    def reports(user: str) -> Response:
        return jsonify(reports=[r for r in REPORTS if r["owner"] == user])

    @app.get("/api/reports/<int:report_id>")
    def report(report_id: int) -> Response | tuple[Response, int]:
        user = authenticated_user()
        if isinstance(user, Response):
            return user
        # Ownership is part of the lookup: someone else's report is "not found", like a
        # report that does not exist, so ids reveal nothing either.
        found = [r for r in REPORTS if r["id"] == report_id and r["owner"] == user]
        return jsonify(found[0]) if found else (jsonify(error="not found"), 404)

    @app.errorhandler(404)
    def not_found(_: Exception) -> tuple[Response, int]:
        return jsonify(error="not found"), 404

    @app.errorhandler(500)
    def server_error(_: Exception) -> tuple[Response, int]:
        return jsonify(error="internal error"), 500

    return app


def https_redirect_app(https_origin: str) -> WsgiApp:
    """The hardened cleartext side: a permanent redirect for every path, before any auth."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        req = WsgiRequest(environ)
        target = https_origin + req.full_path.rstrip("?")
        response = WsgiResponse("", status=308, headers={"Location": target})
        return response(environ, start_response)

    return application
