"""Generic error answers, with the details in the server log only, in Flask (pip install flask).

Never serve an API with the debugger: not `app.run(debug=True)`, not `flask run --debug` or
FLASK_DEBUG=1, not DebuggedApplication. Its error page shows the traceback and the code, and
offers a Python console on the server behind nothing but a PIN. Serve with a production WSGI
server (gunicorn, waitress) instead.
"""

import json
import logging
import sqlite3

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

app = Flask(__name__)
log = logging.getLogger("api")


@app.errorhandler(HTTPException)
def http_error(error):
    # JSON for 404, 405... instead of the framework's pages, keeping their headers (Allow,
    # Retry-After, WWW-Authenticate)
    response = error.get_response()
    response.data = json.dumps({"error": error.name.lower()})
    response.content_type = "application/json"
    return response


@app.errorhandler(Exception)
def unexpected_error(error):
    log.exception("unhandled error")  # the traceback goes to the log, never to the client
    return jsonify(error="internal error"), 500


@app.get("/api/items")
def items():
    # your data access; here an empty in-memory database whose query fails ("no such table"),
    # to show what the client gets then: a 500 with a generic body
    with sqlite3.connect(":memory:") as db:
        rows = db.execute("SELECT id, name FROM items").fetchall()
    return jsonify(items=[{"id": id_, "name": name} for id_, name in rows])
