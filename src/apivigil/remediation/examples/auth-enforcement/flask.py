"""Deny by default in Flask: every view needs a login unless it is marked public
(pip install flask flask-httpauth bcrypt)."""

import bcrypt
from flask import Flask, jsonify, request
from flask_httpauth import HTTPBasicAuth

app = Flask(__name__)

# Flask-HTTPAuth parses the Basic header itself: garbage is "no credentials", a 401 (reading
# request.authorization instead raises ValueError on a non-ASCII token in Werkzeug 3.1)
auth = HTTPBasicAuth(realm="api")

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if not username or len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse
        return None
    stored = USERS.get(username, DUMMY_HASH)  # the same bcrypt work for unknown users
    if bcrypt.checkpw(secret, stored) and username in USERS:
        return username
    return None


@auth.error_handler
def refuse(status):
    # one generic answer for every failure; Flask-HTTPAuth adds the WWW-Authenticate challenge
    return jsonify(error="invalid credentials"), status


def public(view):
    """Mark a view that anyone may call; every other view needs a login."""
    view.public = True
    return view


@app.before_request
def require_login():
    # runs before every view, including views added later and unknown paths (401, not 404):
    # a view is protected unless someone decided it is public
    view = app.view_functions.get(request.endpoint)
    if getattr(view, "public", False):
        return None
    return auth.login_required(lambda: None)()  # None when logged in, else the 401


@app.get("/health")
@public
def health():
    return jsonify(status="ok")


@app.get("/api/data")
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
