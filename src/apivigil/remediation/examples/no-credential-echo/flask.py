"""Answers that name the caller, never their credentials, with Flask-HTTPAuth
(pip install flask flask-httpauth bcrypt).

Return the identity (user name, id) after a login and one fixed message after a failure:
never the password, the Authorization header, `request.headers` or `request.authorization`,
whether the login worked or not. Logs follow the same rule.
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
    # the same answer for every failure, quoting nothing the client sent
    return jsonify(error="invalid credentials"), status


@app.get("/api/me")
@auth.login_required
def me():
    return jsonify(user=auth.current_user())  # who the caller is, not what they sent
