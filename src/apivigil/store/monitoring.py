"""What continuous monitoring remembers besides the scans: monitored targets with their cron
schedules, webhooks and their delivery log, and the dashboard's accounts.

The tables live in the same database as the history (`History.engine`), so a team's PostgreSQL
holds everything and a laptop's SQLite file too. A target never holds a credential: it names the
environment variable that holds one (`credential_env`), which only the process that scans reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from apivigil.core.errors import UsageError
from apivigil.store.history import _Base, _utc


class TargetRow(_Base):
    __tablename__ = "monitored_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    spec: Mapped[str | None] = mapped_column(String(2048))
    schedule: Mapped[str | None] = mapped_column(String(120))
    credential_env: Mapped[str | None] = mapped_column(String(200))
    cacert: Mapped[str | None] = mapped_column(String(2048))
    max_requests: Mapped[int] = mapped_column(Integer, default=600)
    checks: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class WebhookRow(_Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(200))
    payload_format: Mapped[str] = mapped_column(String(16), default="json")
    min_severity: Mapped[str | None] = mapped_column(String(16))
    on_grade_drop: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(_Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"),
                                            index=True)
    delivery_id: Mapped[str] = mapped_column(String(64), index=True)
    scan_id: Mapped[int | None] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    ok: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class UserRow(_Base):
    __tablename__ = "dashboard_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))


class SettingRow(_Base):
    """Server-wide values that every dashboard process must share (the session signing key)."""

    __tablename__ = "dashboard_settings"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class MonitoredTarget:
    id: int
    name: str
    url: str
    spec: str | None
    schedule: str | None
    credential_env: str | None
    cacert: str | None
    max_requests: int
    checks: str | None
    next_run_at: datetime | None


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    secret: str
    payload_format: str
    min_severity: str | None
    on_grade_drop: bool


@dataclass(frozen=True)
class Delivery:
    id: int
    webhook_id: int
    delivery_id: str
    scan_id: int | None
    attempt: int
    status_code: int | None
    error: str | None
    ok: bool
    at: datetime


class Monitoring:
    """Targets, schedules, webhooks, deliveries and accounts in the history's database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        _Base.metadata.create_all(engine)

    def _session(self) -> Session:
        return Session(self._engine, expire_on_commit=False)

    # -- targets --------------------------------------------------------------------------

    def add_target(self, *, name: str, url: str, spec: str | None = None,
                   schedule: str | None = None, credential_env: str | None = None,
                   cacert: str | None = None, max_requests: int = 600,
                   checks: str | None = None,
                   next_run_at: datetime | None = None) -> MonitoredTarget:
        with self._session() as session:
            if session.scalar(select(TargetRow.id).where(TargetRow.url == url)) is not None:
                raise UsageError(f"{url} is already a monitored target")
            row = TargetRow(name=name, url=url, spec=spec, schedule=schedule,
                            credential_env=credential_env, cacert=cacert,
                            max_requests=max_requests, checks=checks,
                            created_at=datetime.now(UTC),
                            next_run_at=next_run_at)
            session.add(row)
            session.commit()
            return _target(row)

    def target_by_url(self, url: str) -> MonitoredTarget | None:
        with self._session() as session:
            row = session.scalar(select(TargetRow).where(TargetRow.url == url))
            return _target(row) if row is not None else None

    def targets(self) -> list[MonitoredTarget]:
        with self._session() as session:
            return [_target(r) for r in session.scalars(select(TargetRow).order_by(TargetRow.name,
                                                                                   TargetRow.id))]

    def target(self, target_id: int) -> MonitoredTarget:
        with self._session() as session:
            row = session.get(TargetRow, target_id)
            if row is None:
                raise UsageError(f"no monitored target #{target_id}")
            return _target(row)

    def set_schedule(self, target_id: int, schedule: str | None,
                     next_run_at: datetime | None) -> None:
        with self._session() as session:
            row = session.get(TargetRow, target_id)
            if row is None:
                raise UsageError(f"no monitored target #{target_id}")
            row.schedule, row.next_run_at = schedule, next_run_at
            session.commit()

    def due(self, now: datetime) -> list[MonitoredTarget]:
        """Scheduled targets whose next run is now or past."""
        query = select(TargetRow).where(TargetRow.schedule.is_not(None),
                                        TargetRow.next_run_at <= now)
        with self._session() as session:
            return [_target(r) for r in session.scalars(query)]

    def claim_run(self, target_id: int, expected: datetime, following: datetime) -> bool:
        """Move a due target's next run forward, once: False if another scheduler did it."""
        with self._session() as session:
            row = session.get(TargetRow, target_id, with_for_update=True)
            if row is None or row.next_run_at is None or _utc(row.next_run_at) != _utc(expected):
                return False
            row.next_run_at = following
            session.commit()
            return True

    # -- webhooks ---------------------------------------------------------------------------

    def add_webhook(self, *, url: str, secret: str, payload_format: str = "json",
                    min_severity: str | None = "high", on_grade_drop: bool = True) -> Webhook:
        if payload_format not in ("json", "slack"):
            raise UsageError("webhook payload format must be json or slack")
        if not url.startswith(("https://", "http://")):
            raise UsageError("a webhook URL must start with https:// (or http://)")
        with self._session() as session:
            row = WebhookRow(url=url, secret=secret, payload_format=payload_format,
                             min_severity=min_severity, on_grade_drop=on_grade_drop,
                             created_at=datetime.now(UTC))
            session.add(row)
            session.commit()
            return _webhook(row)

    def webhooks(self) -> list[Webhook]:
        with self._session() as session:
            rows = session.scalars(select(WebhookRow).order_by(WebhookRow.id))
            return [_webhook(r) for r in rows]

    def log_delivery(self, *, webhook_id: int, delivery_id: str, scan_id: int | None,
                     attempt: int, status_code: int | None, error: str | None,
                     ok: bool) -> None:
        with self._session() as session:
            session.add(DeliveryRow(webhook_id=webhook_id, delivery_id=delivery_id,
                                    scan_id=scan_id, attempt=attempt, status_code=status_code,
                                    error=error, ok=ok, at=datetime.now(UTC)))
            session.commit()

    def deliveries(self, limit: int = 50) -> list[Delivery]:
        query = select(DeliveryRow).order_by(DeliveryRow.id.desc()).limit(limit)
        with self._session() as session:
            return [Delivery(id=r.id, webhook_id=r.webhook_id, delivery_id=r.delivery_id,
                             scan_id=r.scan_id, attempt=r.attempt, status_code=r.status_code,
                             error=r.error, ok=r.ok, at=_utc(r.at))
                    for r in session.scalars(query)]

    # -- accounts ---------------------------------------------------------------------------

    def password_hash(self, username: str) -> str | None:
        with self._session() as session:
            return session.scalar(select(UserRow.password_hash)
                                  .where(UserRow.username == username))

    def has_users(self) -> bool:
        with self._session() as session:
            return session.scalar(select(UserRow.id).limit(1)) is not None

    def add_user(self, username: str, password_hash: str) -> None:
        with self._session() as session:
            session.add(UserRow(username=username, password_hash=password_hash))
            session.commit()


    def setting(self, name: str, create: Callable[[], str]) -> str:
        """A shared setting, created once (the first process to store it wins)."""
        with self._session() as session:
            value = session.scalar(select(SettingRow.value).where(SettingRow.name == name))
            if value is not None:
                return value
            session.add(SettingRow(name=name, value=create()))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
        with self._session() as session:
            stored = session.scalar(select(SettingRow.value).where(SettingRow.name == name))
            assert stored is not None
            return stored


def _target(row: TargetRow) -> MonitoredTarget:
    return MonitoredTarget(id=row.id, name=row.name, url=row.url, spec=row.spec,
                           schedule=row.schedule, credential_env=row.credential_env,
                           cacert=row.cacert, max_requests=row.max_requests,
                           checks=row.checks,
                           next_run_at=_utc(row.next_run_at) if row.next_run_at else None)


def _webhook(row: WebhookRow) -> Webhook:
    return Webhook(id=row.id, url=row.url, secret=row.secret, payload_format=row.payload_format,
                   min_severity=row.min_severity, on_grade_drop=row.on_grade_drop)
