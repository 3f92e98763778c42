"""JSON bodies only: any other Content-Type is refused with 415 (pip install flask)."""

import threading

from flask import Flask, jsonify, request

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # larger bodies: 413

items = []  # your database
lock = threading.Lock()


@app.post("/api/items")
def create_item():
    # is_json: application/json or application/*+json. Never fall back to request.form or
    # get_json(force=True): an HTML form on any site could then post here without a preflight.
    if not request.is_json:
        return jsonify(error="Content-Type must be application/json"), 415
    data = request.get_json(silent=True)  # None for broken JSON: a 400 below, not a crash
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        return jsonify(error='the body must be a JSON object with a "name" string'), 400
    with lock:
        items.append({"id": len(items) + 1, "name": name.strip()})
        return jsonify(items[-1]), 201
