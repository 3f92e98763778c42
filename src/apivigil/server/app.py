"""The dashboard's Flask application (`create_app`), its pages and its protections."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast
from urllib.parse import urlsplit

import bcrypt
from flask import (
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from apivigil import __version__
from apivigil.core.errors import ApivigilError, UsageError
from apivigil.core.models import Report, Severity
from apivigil.server.charts import GRADE_COLOUR, category_trends, score_trend
from apivigil.store.diff import diff_reports
from apivigil.store.history import History
from apivigil.store.monitoring import Monitoring

ADMIN_USER = "admin"
TREND_SCANS = 100  # scans in the score chart
CATEGORY_SCANS = 20  # scans (whole reports) read for the per-category history
PAGE = 50
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")

F = TypeVar("F", bound=Callable[..., Any])


class Dispatcher(Protocol):
    """Where "scan now" and the scheduler send jobs (in this process, or Celery)."""

    def submit(self, target_id: int) -> str: ...

    def pending(self) -> dict[str, int]: ...

    def shutdown(self) -> None: ...


@dataclass(frozen=True)
class ServerSettings:
    db_url: str | None = None
    secure_cookies: bool = True  # False only for plain HTTP on loopback (development, tests)


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def ensure_admin(monitoring: Monitoring, password: str | None = None) -> str | None:
    """Create the admin account at first start; returns the password if it generated one."""
    if monitoring.has_users():
        return None
    generated = password is None
    chosen = password or secrets.token_urlsafe(18)
    if len(chosen) < 12:
        raise UsageError("the admin password must have at least 12 characters")
    monitoring.add_user(ADMIN_USER, hash_password(chosen))
    return chosen if generated else None


def create_app(settings: ServerSettings, dispatcher: Dispatcher) -> Flask:
    """The dashboard over the history at `settings.db_url`."""
    root = Path(__file__).parent
    app = Flask("apivigil.server", template_folder=str(root / "templates"),
                static_folder=str(root / "static"))
    history = History(settings.db_url)
    monitoring = Monitoring(history.engine)
    app.config.update(
        SECRET_KEY=monitoring.setting("session_key", lambda: secrets.token_hex(32)),
        SESSION_COOKIE_NAME="__Host-apivigil" if settings.secure_cookies else "apivigil",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        WTF_CSRF_SSL_STRICT=False,  # the token and SameSite=Strict suffice; no Referer needed
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.jinja_env.autoescape = True
    app.jinja_env.globals.update(version=__version__, grade_colour=GRADE_COLOUR,
                                 severities=[s.value for s in Severity])
    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://",
                      default_limits=[], headers_enabled=True)
    app.extensions["apivigil"] = {"history": history, "monitoring": monitoring,
                                  "dispatcher": dispatcher}

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if settings.secure_cookies:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(ApivigilError)
    def apivigil_error(exc: ApivigilError) -> tuple[str, int]:
        return render_template("error.html.j2", message=str(exc)), 404 \
            if "no scan" in str(exc) or "no monitored" in str(exc) else 400

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> tuple[str, int]:
        return render_template("error.html.j2", message="Not found."), 404

    @app.errorhandler(429)
    def throttled(_exc: Exception) -> tuple[str, int]:
        return render_template("error.html.j2",
                               message="Too many attempts: wait a minute and try again."), 429

    def login_required(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not session.get("user"):
                return redirect(url_for("login", next=request.path))
            g.user = session["user"]
            return view(*args, **kwargs)

        return cast(F, wrapped)

    # -- session ---------------------------------------------------------------------------

    @app.route("/login", methods=["GET", "POST"])
    @limiter.limit("10 per minute", methods=["POST"])
    def login() -> Any:
        error = None
        if request.method == "POST":
            username = request.form.get("username", "")
            password = request.form.get("password", "")
            stored = monitoring.password_hash(username)
            # Compare against a dummy hash for unknown users: same work, same answer.
            candidate = stored or _DUMMY_HASH
            valid = bcrypt.checkpw(password.encode(), candidate.encode())
            if stored and valid:
                session.clear()
                session["user"] = username
                session.permanent = True
                target = request.args.get("next", "")
                return redirect(target if _local_path(target) else url_for("overview"))
            error = "Wrong user name or password."
        return render_template("login.html.j2", error=error), 401 if error else 200

    @app.post("/logout")
    def logout() -> Any:
        session.clear()
        return redirect(url_for("login"))

    # -- pages -----------------------------------------------------------------------------

    @app.get("/")
    @login_required
    def overview() -> Any:
        monitored = {t.url: t for t in monitoring.targets()}
        rows = []
        for latest, count in history.targets():
            rows.append({"url": latest.target, "scans": count, "latest": latest,
                         "monitored": monitored.pop(latest.target, None)})
        for target in monitored.values():
            rows.append({"url": target.url, "scans": 0, "latest": None, "monitored": target})
        rows.sort(key=lambda r: str(r["url"]))
        pending = dispatcher.pending()
        return render_template("overview.html.j2", rows=rows, total=history.count(),
                               pending=len(pending))

    @app.post("/targets")
    @login_required
    def add_target() -> Any:
        from apivigil.fleet.schedule import next_run, validate

        form = request.form
        url = form.get("url", "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError("the target URL must be an http:// or https:// URL")
        schedule = validate(form["schedule"]) if form.get("schedule", "").strip() else None
        env_name = form.get("credential_env", "").strip() or None
        if env_name and not env_name.replace("_", "").isalnum():
            raise UsageError("the credential is given by the NAME of an environment variable "
                             "(letters, digits, _), never the credential itself")
        target = monitoring.add_target(
            name=form.get("name", "").strip() or parts.hostname, url=url,
            spec=form.get("spec", "").strip() or None, schedule=schedule,
            credential_env=env_name, cacert=form.get("cacert", "").strip() or None,
            checks=form.get("checks", "").strip() or None,
            next_run_at=next_run(schedule) if schedule else None)
        flash(f"Added {target.name}.")
        return redirect(url_for("target_page", url=target.url))

    @app.get("/target")
    @login_required
    def target_page() -> Any:
        url = request.args.get("url", "")
        before = request.args.get("before", type=int)
        monitored = monitoring.target_by_url(url)
        scans = history.scans(target=url, limit=PAGE, before_id=before)
        if not scans and monitored is None and before is None:
            abort(404)
        trend_rows = history.scans(target=url, limit=TREND_SCANS)
        chart = score_trend([(s.id, s.started_at, s.score, s.grade) for s in trend_rows
                             if s.score is not None and s.grade is not None])
        recent = [history.report(s.id) for s in reversed(trend_rows[:CATEGORY_SCANS])]
        categories = category_trends([{c.category.value: c.score for c in r.categories}
                                      for r in recent])
        pending = [job for job, target_id in dispatcher.pending().items()
                   if monitored and target_id == monitored.id]
        return render_template("target.html.j2", url=url, target=monitored, scans=scans,
                               chart=chart, categories=categories, pending=pending,
                               older=scans[-1].id if len(scans) == PAGE else None)

    @app.post("/targets/<int:target_id>/scan")
    @login_required
    def scan_now(target_id: int) -> Any:
        target = monitoring.target(target_id)
        job = dispatcher.submit(target.id)
        flash(f"Scan of {target.name} queued (job {job[:8]}).")
        return redirect(url_for("target_page", url=target.url))

    @app.post("/targets/<int:target_id>/schedule")
    @login_required
    def set_schedule(target_id: int) -> Any:
        from apivigil.fleet.schedule import next_run, validate

        target = monitoring.target(target_id)
        raw = request.form.get("schedule", "").strip()
        schedule = validate(raw) if raw else None
        monitoring.set_schedule(target.id, schedule, next_run(schedule) if schedule else None)
        flash(f"Schedule of {target.name}: {schedule or 'none'}.")
        return redirect(url_for("target_page", url=target.url))

    @app.get("/scans/<int:scan_id>")
    @login_required
    def scan_page(scan_id: int) -> Any:
        report = history.report(scan_id)
        earlier = history.scans(target=report.target, before_id=scan_id, limit=1)
        return render_template("scan.html.j2", scan_id=scan_id, report=report,
                               counts=report.count_by_severity(),
                               previous=earlier[0].id if earlier else None)

    @app.get("/scans/<int:scan_id>/report.pdf")
    @login_required
    def scan_pdf(scan_id: int) -> Response:
        from apivigil.reporting import pdf

        document = pdf.render(history.report(scan_id))
        return Response(document, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="apivigil-scan-{scan_id}.pdf"'})

    @app.get("/diff")
    @login_required
    def diff_page() -> Any:
        before = request.args.get("a", type=int)
        after = request.args.get("b", type=int)
        if before is None or after is None:
            raise UsageError("choose two scans to compare (a and b)")
        result = diff_reports(history.report(before), history.report(after))
        return render_template("diff.html.j2", before=before, after=after, diff=result,
                               target=history.report(after).target)

    @app.route("/webhooks", methods=["GET", "POST"])
    @login_required
    def webhooks_page() -> Any:
        created_secret = None
        if request.method == "POST":
            severity = request.form.get("min_severity") or None
            if severity is not None and severity not in {s.value for s in Severity}:
                raise UsageError("unknown severity")
            created_secret = secrets.token_urlsafe(24)
            monitoring.add_webhook(
                url=request.form.get("url", "").strip(), secret=created_secret,
                payload_format=request.form.get("payload_format", "json"),
                min_severity=severity, on_grade_drop=bool(request.form.get("on_grade_drop")))
        return render_template("webhooks.html.j2", webhooks=monitoring.webhooks(),
                               deliveries=monitoring.deliveries(), created_secret=created_secret)

    @app.get("/health")
    def health() -> Response:
        return Response(json.dumps({"status": "ok"}), mimetype="application/json")

    app.jinja_env.filters["when"] = _when
    app.jinja_env.globals["category_of"] = _categories
    return app


_DUMMY_HASH = hash_password(secrets.token_hex(16))


def _local_path(target: str) -> bool:
    """Only same-site paths after login: no open redirect."""
    return target.startswith("/") and not target.startswith(("//", "/\\"))


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _categories(report: Report) -> list[tuple[str, int | None, str | None]]:
    return [(c.category.value, c.score, c.grade) for c in report.categories]
