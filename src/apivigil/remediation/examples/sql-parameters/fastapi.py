"""SQL with bound parameters, never built from strings (pip install fastapi uvicorn)."""

import logging
import sqlite3
import threading
from typing import Literal

from fastapi import FastAPI, HTTPException

app = FastAPI()
log = logging.getLogger(__name__)

# Your database: one SQLite connection in memory so the example runs; with SQLAlchemy write
# text("... WHERE name = :name") and pass {"name": name}, with asyncpg "$1" and the value.
db = sqlite3.connect(":memory:", check_same_thread=False)
db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
db.executemany("INSERT INTO users (name) VALUES (?)", [("alice",), ("bob",)])
lock = threading.Lock()  # one connection shared by the worker threads

# Column names cannot be bound: FastAPI accepts only these sort orders (422 otherwise), and
# each is its own fixed statement.
QUERIES = {
    "id": "SELECT id, name FROM users WHERE name = ? ORDER BY id",
    "name": "SELECT id, name FROM users WHERE name = ? ORDER BY name",
}


@app.get("/api/users")
def users(name: str = "", order: Literal["id", "name"] = "id"):
    try:
        with lock:
            # the value travels apart from the SQL: a quote in it is just a character
            rows = db.execute(QUERIES[order], (name,)).fetchall()  # not f"... = '{name}'"
    except sqlite3.Error:
        log.exception("query failed")  # the details in your logs, not in the answer
        raise HTTPException(status_code=500, detail="internal error") from None
    return {"users": [{"id": row[0], "name": row[1]} for row in rows]}
