"""Authenticated responses kept out of browser and proxy caches, in Flask
(pip install flask flask-httpauth bcrypt).

`Cache-Control: no-store` on every response: no browser disk cache keeps an account's data
after logout, and no shared proxy or CDN serves it to someone else. A route whose answer is
the same for everyone (a public catalogue) may set its own Cache-Control instead.
"""

import bcrypt
from flask import Flask, jsonify
from flask_httpauth import HTTPBasicAuth

app = Flask(__name__)


# Flask-HTTPAuth parses the Basic header itself: a malformed or non-ASCII one is no
# credentials (a 401), where Werkzeug's own request.authorization raises (a 500)
auth = HTTPBasicAuth(realm="api")

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        return None
    stored = USERS.get(username, DUMMY_HASH)  # the same bcrypt work for unknown users
    if bcrypt.checkpw(secret, stored) and username in USERS:
        return username
    return None


@auth.error_handler
def refuse(status):
    return jsonify(error="invalid credentials"), status


@app.after_request
def no_store(response):
    # every answer, unless its route chose a Cache-Control of its own for public data
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@app.get("/api/data")
@auth.login_required
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
