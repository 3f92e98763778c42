"""Databases for the history tests: a SQLite file, and the session's real PostgreSQL server
(`postgres_url` in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each history test runs against both databases."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    url: str = request.getfixturevalue("postgres_url")
    emptied(url)
    return url


def emptied(url: str) -> str:
    """Drop what an earlier test stored in the shared PostgreSQL database."""
    from sqlalchemy import create_engine

    from apivigil.store.history import _Base, resolve_url

    engine = create_engine(resolve_url(url))
    _Base.metadata.drop_all(engine)
    engine.dispose()
    return url
