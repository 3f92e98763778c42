"""Throttled failed logins in Flask with Flask-Limiter
(pip install flask flask-httpauth flask-limiter bcrypt)."""

import bcrypt
from flask import Flask, jsonify
from flask_httpauth import HTTPBasicAuth
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

app = Flask(__name__)
# Behind exactly one reverse proxy that sets X-Forwarded-For and -Proto, trust that one hop
# and no more: the client's address is the one that proxy appends, so a client cannot choose
# its own key (and request.is_secure tells the client's scheme).
BEHIND_ONE_PROXY = False
if BEHIND_ONE_PROXY:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

# memory:// counts in this process only: with several workers or hosts use a shared backend,
# e.g. storage_uri="redis://localhost:6379" (pip install "flask-limiter[redis]").
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://",
                  headers_enabled=True)  # 429 answers carry Retry-After


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
        return username  # the user name and the password, checked together
    return None


@auth.error_handler
def refuse(status):
    # one answer for every failure (unknown user, wrong password, malformed header);
    # Flask-HTTPAuth adds the WWW-Authenticate challenge
    return jsonify(error="invalid credentials"), status


@app.get("/api/data")
# 10 failed logins per 15 minutes per client address: only 401 answers count
@limiter.limit("10 per 15 minutes", deduct_when=lambda response: response.status_code == 401)
@auth.login_required
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
