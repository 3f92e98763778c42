"""Every input checked before use: 400 with a short message for bad input, a generic 500 for
anything that still slips through (pip install flask)."""

import re

from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

app = Flask(__name__)
ITEMS = [{"id": n, "name": f"item {n}"} for n in range(1, 251)]  # your database


def int_arg(name, default, low, high):
    """The query parameter as an integer from low to high, or a 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    # Not request.args.get(name, default, type=int): it answers the default for "abc".
    # Not a bare int(raw): it raises on "abc" (a 500) and takes " 7", "1_0" and non-ASCII digits.
    if not re.fullmatch(r"-?[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        abort(400, f"{name} must be an integer from {low} to {high}")
    return int(raw)


@app.get("/api/items")
def items():
    limit = int_arg("limit", 20, 1, 100)
    offset = int_arg("offset", 0, 0, len(ITEMS))
    return jsonify(items=ITEMS[offset:offset + limit])


@app.errorhandler(HTTPException)
def http_error(exc):
    """400, 404, 405... as JSON, keeping their headers (Allow, WWW-Authenticate)."""
    response = exc.get_response()
    response.data = jsonify(error=exc.description).get_data()
    response.content_type = "application/json"
    return response


@app.errorhandler(InternalServerError)
def internal_error(exc):
    # Flask has logged the traceback of the exception that was not handled; the client learns
    # nothing about it. (An @app.errorhandler(Exception) would turn 404s into 500s.)
    return jsonify(error="internal error"), 500
