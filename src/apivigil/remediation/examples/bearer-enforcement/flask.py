"""Bearer tokens (JWT) verified on every request in Flask, with the algorithm pinned
(pip install flask flask-httpauth pyjwt bcrypt)."""

import secrets
from datetime import UTC, datetime, timedelta

import bcrypt
import jwt
from flask import Flask, jsonify, request
from flask_httpauth import HTTPTokenAuth

app = Flask(__name__)

# Load the key from your secret store, the same for every worker: a key made at start-up
# (as here, so the example runs) signs everyone out on restart. HS256 wants 32+ bytes.
SECRET_KEY = secrets.token_bytes(32)
ALGORITHMS = ["HS256"]  # pinned: never read the algorithm from the token itself
AUDIENCE = "api"  # tokens minted for another service are refused
TOKEN_LIFETIME = timedelta(minutes=15)

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


class BearerAuth(HTTPTokenAuth):
    def get_auth(self):
        try:
            return super().get_auth()
        except ValueError:  # Werkzeug 3.1 raises on a non-ASCII Basic header: no token
            return None


auth = BearerAuth(scheme="Bearer", realm="api")


@auth.verify_token
def verify_token(token):
    try:
        # an empty, malformed, unsigned ("alg": "none"), expired or forged token raises
        claims = jwt.decode(token, SECRET_KEY, algorithms=ALGORITHMS, audience=AUDIENCE,
                            options={"require": ["exp", "sub", "aud"]})
    except jwt.InvalidTokenError:
        return None
    if claims["sub"] not in USERS:  # a valid token of an account deleted since
        return None
    return claims["sub"]


@auth.error_handler
def refuse(status):
    # one answer for every failure; Flask-HTTPAuth adds WWW-Authenticate: Bearer realm="api"
    return jsonify(error="invalid token"), status


@app.post("/token")
def issue_token():
    username = request.form.get("username", "")
    secret = request.form.get("password", "").encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        stored = USERS.get(username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and username in USERS:
            now = datetime.now(UTC)
            claims = {"sub": username, "aud": AUDIENCE, "iat": now, "exp": now + TOKEN_LIFETIME}
            token = jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHMS[0])
            return jsonify(access_token=token, token_type="bearer")
    return jsonify(error="invalid_grant"), 400  # RFC 6749, section 5.2


@app.get("/api/data")
@auth.login_required
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
