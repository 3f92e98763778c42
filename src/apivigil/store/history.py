"""Scan history: every scan's report in a database, through SQLAlchemy 2.

Where: `--db URL` (or the `APIVIGIL_DB` environment variable, or `db` in the config file);
by default the SQLite file `$XDG_DATA_HOME/apivigil/history.db` (`~/.local/share/apivigil/
history.db` when XDG_DATA_HOME is unset), one history per user across projects. A plain path is
taken as a SQLite file. `postgresql://user@host/db` uses psycopg 3 (the URL's password, if any,
is never printed; prefer a `~/.pgpass` file or PGPASSWORD).

Two tables: `scans` (one row per scan: target, times, grade, score, counts per severity and the
whole JSON report, already redacted) and `findings` (one row per finding: fingerprint, rule,
severity, place) for queries such as "since when has this finding been open". A third,
`scan_jobs`, makes storing idempotent for queued scans: a job id is stored with its scan in one
transaction and is unique, so a scan that a second worker re-ran (the first died before it
acknowledged the task) is stored once. The tables are created on first use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    func,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from apivigil.core.errors import ScanError, UsageError
from apivigil.core.extras import EXTRAS, MissingExtraError, missing_module
from apivigil.core.models import Report, Severity

DB_ENV = "APIVIGIL_DB"


def default_url() -> str:
    """The per-user SQLite database (XDG data directory)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'apivigil' / 'history.db'}"


def resolve_url(url: str | None) -> str:
    """`--db` value -> a SQLAlchemy URL: env and default filled in, psycopg 3 for PostgreSQL."""
    url = url or os.environ.get(DB_ENV) or default_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def safe_url(url: str) -> str:
    """The URL for messages: any password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable database URL)"


class _Base(DeclarativeBase):
    pass


class ScanRow(_Base):
    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(2048), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tool_version: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(2))  # null: the scan tested nothing
    score: Mapped[int | None] = mapped_column(Integer)
    requests: Mapped[int] = mapped_column(Integer)
    critical: Mapped[int] = mapped_column(Integer, default=0)
    high: Mapped[int] = mapped_column(Integer, default=0)
    medium: Mapped[int] = mapped_column(Integer, default=0)
    low: Mapped[int] = mapped_column(Integer, default=0)
    info: Mapped[int] = mapped_column(Integer, default=0)
    report_json: Mapped[str] = mapped_column(Text)
    findings: Mapped[list[FindingRow]] = relationship(back_populates="scan",
                                                      cascade="all, delete-orphan")


class FindingRow(_Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(Text)
    scan: Mapped[ScanRow] = relationship(back_populates="findings")


class ScanJobRow(_Base):
    """A queued scan's job id -> the scan it stored (at most one, enforced by the database)."""

    __tablename__ = "scan_jobs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"),
                                         unique=True)


@dataclass(frozen=True)
class ScanSummary:
    """One line of `apivigil history`."""

    id: int
    target: str
    started_at: datetime
    grade: str | None  # None: the scan tested nothing
    score: int | None
    requests: int
    counts: dict[Severity, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, object]:
        """One line of `apivigil history --json`."""
        return {"id": self.id, "target": self.target, "started_at": self.started_at.isoformat(),
                "grade": self.grade, "score": self.score, "requests": self.requests,
                "counts": {k.value: v for k, v in self.counts.items()}}


class History:
    """The scan history in one database. Use as a context manager, or call `close()`."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        try:
            if self.url.startswith("sqlite:///"):
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True,
                                                                       exist_ok=True)
            self._engine: Engine = create_engine(self.url)
            _Base.metadata.create_all(self._engine)
        except ImportError as exc:
            if missing_module(exc) in EXTRAS["postgres"]:
                raise MissingExtraError("postgres", "a PostgreSQL history (--db)") from None
            raise UsageError(f"--db: cannot use {safe_url(self.url)}: {exc}") from None
        except ArgumentError as exc:
            raise UsageError(f"--db: cannot use {safe_url(self.url)}: {exc}") from None
        except (SQLAlchemyError, OSError) as exc:
            raise ScanError(f"cannot open the scan history at {safe_url(self.url)}: "
                            f"{_first_line(exc)}") from None

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    @property
    def engine(self) -> Engine:
        """The database engine, for the other stores that share this database."""
        return self._engine

    def save(self, report: Report, *, job_id: str | None = None) -> int:
        """Store one report; returns its scan id.

        With a `job_id`, storing is idempotent: when that job's scan is already stored (another
        worker ran it too), nothing is added and the stored scan's id is returned.
        """
        return self.save_job(report, job_id)[0]

    def save_job(self, report: Report, job_id: str | None) -> tuple[int, bool]:
        """`save`, and whether this call stored it (False: the job was stored before)."""
        counts = report.count_by_severity()
        row = ScanRow(
            target=report.target, started_at=report.started_at,
            finished_at=report.finished_at, tool_version=report.version, grade=report.grade,
            score=report.score, requests=report.requests,
            critical=counts[Severity.CRITICAL], high=counts[Severity.HIGH],
            medium=counts[Severity.MEDIUM], low=counts[Severity.LOW],
            info=counts[Severity.INFO], report_json=report.model_dump_json(),
            findings=[FindingRow(fingerprint=f.fingerprint, rule_id=f.id,
                                 severity=f.severity.value, title=f.title, method=f.method,
                                 place=f.path or f.url) for f in report.findings],
        )
        with self._session() as session:
            if job_id is not None:
                stored = session.get(ScanJobRow, job_id)
                if stored is not None:
                    return stored.scan_id, False
            session.add(row)
            try:
                session.flush()
                if job_id is not None:
                    session.add(ScanJobRow(job_id=job_id, scan_id=row.id))
                session.commit()
            except IntegrityError:
                session.rollback()
                if job_id is None:
                    raise
                existing = session.get(ScanJobRow, job_id)
                if existing is None:
                    raise
                return existing.scan_id, False
            return row.id, True

    def scan_for_job(self, job_id: str) -> int | None:
        """The scan a queued job stored, if it has."""
        with self._session() as session:
            row = session.get(ScanJobRow, job_id)
            return row.scan_id if row is not None else None

    def scans(self, *, target: str | None = None, limit: int = 20,
              before_id: int | None = None) -> list[ScanSummary]:
        """The latest scans first (of one target if given; older than `before_id` if given)."""
        query = select(*_SUMMARY_COLUMNS).order_by(ScanRow.id.desc()).limit(limit)
        if target:
            query = query.where(ScanRow.target == target)
        if before_id is not None:
            query = query.where(ScanRow.id < before_id)
        with self._session() as session:
            return [_summary(row) for row in session.execute(query)]

    def targets(self) -> list[tuple[ScanSummary, int]]:
        """Every scanned target: its newest scan and its number of scans (one query)."""
        per_target = (select(func.max(ScanRow.id).label("newest"),
                             func.count(ScanRow.id).label("scans"))
                      .group_by(ScanRow.target).subquery())
        query = (select(*_SUMMARY_COLUMNS, per_target.c.scans)
                 .join(per_target, ScanRow.id == per_target.c.newest).order_by(ScanRow.target))
        with self._session() as session:
            return [(_summary(row), row.scans) for row in session.execute(query)]

    def count(self) -> int:
        with self._session() as session:
            return int(session.scalar(select(func.count(ScanRow.id))) or 0)

    def report(self, scan_id: int) -> Report:
        with self._session() as session:
            row = session.get(ScanRow, scan_id)
            if row is None:
                raise UsageError(f"no scan #{scan_id} in the history ({safe_url(self.url)})")
            return Report.model_validate_json(row.report_json)

    def latest_ids(self, count: int = 2) -> list[int]:
        """The ids of the newest scans, oldest of them first."""
        with self._session() as session:
            ids = list(session.scalars(select(ScanRow.id).order_by(ScanRow.id.desc())
                                       .limit(count)))
        return sorted(ids)

    def first_seen(self, fingerprint: str) -> datetime | None:
        """When a finding was first recorded, for 'open since' displays."""
        with self._session() as session:
            seen = session.scalar(
                select(func.min(ScanRow.started_at)).join(FindingRow)
                .where(FindingRow.fingerprint == fingerprint))
        return _utc(seen) if seen is not None else None

    def _session(self) -> Session:
        return Session(self._engine, expire_on_commit=False)


_SUMMARY_COLUMNS = (ScanRow.id, ScanRow.target, ScanRow.started_at, ScanRow.grade, ScanRow.score,
                    ScanRow.requests, ScanRow.critical, ScanRow.high, ScanRow.medium,
                    ScanRow.low, ScanRow.info)


def _summary(row: Any) -> ScanSummary:
    """A summary from the summary columns (never the whole JSON report: lists stay fast)."""
    return ScanSummary(
        id=row.id, target=row.target, started_at=_utc(row.started_at), grade=row.grade,
        score=row.score, requests=row.requests,
        counts={Severity.CRITICAL: row.critical, Severity.HIGH: row.high,
                Severity.MEDIUM: row.medium, Severity.LOW: row.low, Severity.INFO: row.info},
    )


def _utc(moment: datetime) -> datetime:
    """SQLite drops the time zone and PostgreSQL answers in its own: always give back UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
