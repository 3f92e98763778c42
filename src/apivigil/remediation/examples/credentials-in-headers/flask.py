"""API tokens only in the Authorization header, never in the URL, in Flask
(pip install flask flask-httpauth)."""

import hashlib
import secrets

from flask import Flask, jsonify, request
from flask_httpauth import HTTPTokenAuth

app = Flask(__name__)

# Query parameters that carry credentials (adapt to your API's names). URLs end up in access
# logs, browser history and Referer headers: rotate any credential ever sent in one.
CREDENTIAL_PARAMS = {"access_token", "token", "api_key", "apikey", "key", "auth", "jwt",
                     "password", "passwd", "pwd", "secret", "client_secret", "session_id",
                     "sessionid", "sid"}


@app.before_request
def no_credentials_in_url():
    # refused before any authentication: a client that sends one learns to stop, and no code
    # path can read it
    if CREDENTIAL_PARAMS & {name.lower().replace("-", "_") for name in request.args}:
        return jsonify(error="send credentials in the Authorization header, not the URL"), 400
    return None


class BearerAuth(HTTPTokenAuth):
    def get_auth(self):
        try:
            return super().get_auth()
        except ValueError:  # Werkzeug 3.1 raises on a non-ASCII Basic header: no token
            return None


auth = BearerAuth(scheme="Bearer", realm="api")

# SHA-256 of each API token -> its user, from your token store: keep only the hashes, so a
# leaked table holds no usable token (a lookup by hash gives no timing clue about a token)
TOKENS = {}


def new_token(user):
    token = secrets.token_urlsafe(32)
    TOKENS[hashlib.sha256(token.encode()).hexdigest()] = user
    return token


print("API token for carol:", new_token("carol"))  # made here so the example runs


@auth.verify_token
def verify_token(token):
    return TOKENS.get(hashlib.sha256(token.encode()).hexdigest())  # None: refused


@auth.error_handler
def refuse(status):
    # one answer for every failure; Flask-HTTPAuth adds WWW-Authenticate: Bearer realm="api"
    return jsonify(error="invalid token"), status


@app.get("/api/data")
@auth.login_required
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
