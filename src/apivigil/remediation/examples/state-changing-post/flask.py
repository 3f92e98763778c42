"""State changes are POSTs for admins, never GETs (pip install flask flask-httpauth)."""

import hashlib
import secrets
import threading

from flask import Flask, jsonify
from flask_httpauth import HTTPTokenAuth

app = Flask(__name__)


class TokenAuth(HTTPTokenAuth):
    def get_auth(self):
        try:
            return super().get_auth()
        except ValueError:  # Werkzeug 3.1 raises on a non-ASCII Basic header: no token
            return None


auth = TokenAuth(scheme="Bearer")


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


# SHA-256 of each token you issued -> its user, from your user store (only hashes are kept);
# one admin token is made here so the example runs
ADMIN_TOKEN = secrets.token_urlsafe(32)
USERS_BY_TOKEN = {digest(ADMIN_TOKEN): {"name": "carol", "roles": ["admin"]}}

SAMPLE = [{"id": 1, "name": "widget"}, {"id": 2, "name": "gadget"}]
items = [dict(item) for item in SAMPLE]  # your database
lock = threading.Lock()


@auth.verify_token
def verify_token(token):
    return USERS_BY_TOKEN.get(digest(token))  # None: 401 with a Bearer challenge


@auth.get_user_roles
def user_roles(user):
    return user["roles"]


@app.get("/api/items")
def listing():
    with lock:
        return jsonify(items=list(items))


# Not @app.get("/api/reset"): crawlers, link previews, prefetching browsers and any <img> tag
# on a hostile page send GETs. A GET to this URL now answers 405 and changes nothing.
# With cookie sessions instead of tokens, also require a CSRF token (Flask-WTF's CSRFProtect).
@app.post("/api/reset")
@auth.login_required(role="admin")  # 401 without a valid token, 403 for non-admins
def reset():
    with lock:
        items[:] = [dict(item) for item in SAMPLE]
    return "", 204
