"""Generic JSON errors, no-store responses and logs without credentials, in Flask
(pip install flask).

docs/hardened-flask-basic-auth.md puts this together with the https-only, basic-auth and
login-throttling examples into one hardened API.
"""

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

app = Flask(__name__)
log = logging.getLogger("api")  # log user names and outcomes, never an Authorization header


@app.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"  # answers to one user stay out of caches
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@app.errorhandler(HTTPException)
def http_error(error):
    # JSON errors without framework pages (404, 405, 429...); the response keeps the
    # error's own headers (WWW-Authenticate, Retry-After, Allow)
    response = error.get_response()
    response.data = jsonify(error=error.name.lower()).get_data()
    response.content_type = "application/json"
    return response


@app.errorhandler(Exception)
def unexpected_error(error):
    # the details go to the log (with the path, not the headers), never to the client
    log.exception("unhandled error on %s %s", request.method, request.path)
    return jsonify(error="internal error"), 500


@app.get("/api/data")
def data():
    return jsonify(items=[1, 2, 3])
