"""JWTs done right in Flask with PyJWT and Flask-HTTPAuth
(pip install flask flask-httpauth pyjwt bcrypt).

The signing key comes from the environment, never from the code, and every worker and host
must share it (a key made at start-up would differ between workers and log everyone out on a
restart). Make one with:
    export JWT_SECRET="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
"""

import os
import time

import bcrypt
import jwt
from flask import Flask, jsonify, request
from flask_httpauth import HTTPTokenAuth

app = Flask(__name__)
app.config["JWT_SECRET"] = os.environ["JWT_SECRET"]  # or your secret store
if len(app.config["JWT_SECRET"].encode()) < 32:
    raise RuntimeError("JWT_SECRET must hold at least 32 random bytes (256 bits)")
JWT_ALGORITHM = "HS256"  # pinned here: never read from the token's own header
TOKEN_LIFETIME_S = 15 * 60  # short-lived: a leaked token is useful for minutes, not forever


class TokenAuth(HTTPTokenAuth):
    def get_auth(self):
        try:
            return super().get_auth()
        except ValueError:  # Werkzeug 3.1 raises on a non-ASCII Basic header: no token
            return None


auth = TokenAuth(scheme="Bearer")

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def password_ok(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        return False
    stored = USERS.get(username, DUMMY_HASH)  # the same bcrypt work for unknown users
    return bcrypt.checkpw(secret, stored) and username in USERS


# Throttle failed logins here too (Flask-Limiter), or passwords can be guessed at full speed.
@app.post("/api/login")
def log_in():
    body = request.get_json(silent=True)  # None for a missing or malformed JSON body
    body = body if isinstance(body, dict) else {}
    username, password = body.get("username"), body.get("password")
    if not (isinstance(username, str) and isinstance(password, str)
            and password_ok(username, password)):
        return jsonify(error="invalid credentials"), 401
    now = int(time.time())
    claims = {"sub": username, "iat": now, "nbf": now, "exp": now + TOKEN_LIFETIME_S}
    token = jwt.encode(claims, app.config["JWT_SECRET"], algorithm=JWT_ALGORITHM)
    return jsonify(access_token=token, token_type="bearer", expires_in=TOKEN_LIFETIME_S)


@auth.verify_token
def verify_token(token):
    try:
        # algorithms=[...] refuses alg none and any other algorithm (RS/HS confusion); the
        # signature, exp and nbf are verified, and a token without exp, iat or sub is refused.
        # No leeway: this app issues and verifies its tokens with the same clock.
        claims = jwt.decode(token, app.config["JWT_SECRET"], algorithms=[JWT_ALGORITHM],
                            options={"require": ["exp", "iat", "sub"]})
    except jwt.InvalidTokenError:
        return None
    if claims["sub"] not in USERS:  # a valid token of an account deleted since
        return None
    return claims["sub"]


@auth.error_handler
def refuse(status):
    # one answer for every bad token; Flask-HTTPAuth adds WWW-Authenticate: Bearer
    return jsonify(error="invalid or expired token"), status


@app.get("/api/data")
@auth.login_required
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
