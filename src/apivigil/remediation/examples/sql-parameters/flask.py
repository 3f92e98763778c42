"""SQL with bound parameters, never built from strings (pip install flask)."""

import sqlite3
import threading

from flask import Flask, jsonify, request

app = Flask(__name__)

# Your database: one SQLite connection in memory so the example runs; with SQLAlchemy write
# text("... WHERE name = :name") and pass {"name": name}, with psycopg "%s" and a tuple.
db = sqlite3.connect(":memory:", check_same_thread=False)
db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
db.executemany("INSERT INTO users (name) VALUES (?)", [("alice",), ("bob",)])
lock = threading.Lock()  # one connection shared by the server's threads

# Column names cannot be bound: each allowed sort order is its own fixed statement.
QUERIES = {
    "id": "SELECT id, name FROM users WHERE name = ? ORDER BY id",
    "name": "SELECT id, name FROM users WHERE name = ? ORDER BY name",
}


@app.get("/api/users")
def users():
    name = request.args.get("name", "")
    sql = QUERIES.get(request.args.get("order", "id"))
    if sql is None:
        return jsonify(error="order must be one of: " + ", ".join(QUERIES)), 400
    try:
        with lock:
            # the value travels apart from the SQL: a quote in it is just a character
            rows = db.execute(sql, (name,)).fetchall()  # not f"... WHERE name = '{name}'"
    except sqlite3.Error:
        app.logger.exception("query failed")  # the details in your logs, not in the answer
        return jsonify(error="internal error"), 500
    return jsonify(users=[{"id": row[0], "name": row[1]} for row in rows])
