"""Session cookies with Secure, HttpOnly and SameSite in Flask (pip install flask bcrypt).

Flask signs its session cookie with SECRET_KEY: keep it out of the code, the same for every
worker and host. Make one with:
    export SECRET_KEY="$(python -c 'import secrets; print(secrets.token_hex(32))')"
"""

import os
from datetime import timedelta

import bcrypt
from flask import Flask, jsonify, request, session

app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ["SECRET_KEY"],  # or your secret store
    SESSION_COOKIE_SECURE=True,  # never sent over http://
    SESSION_COOKIE_HTTPONLY=True,  # Flask's default; keep it: scripts cannot read it (XSS)
    SESSION_COOKIE_SAMESITE="Lax",  # not sent with cross-site POSTs ("Strict": with none)
    PERMANENT_SESSION_LIFETIME=timedelta(hours=1),
    # with Flask-Login's remember-me cookie, the same for it:
    REMEMBER_COOKIE_SECURE=True,
    REMEMBER_COOKIE_HTTPONLY=True,
    REMEMBER_COOKIE_SAMESITE="Lax",
)
# A cookie you set yourself takes the same flags:
#   response.set_cookie("name", value, secure=True, httponly=True, samesite="Lax")

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
    session.clear()  # nothing from before the login is kept
    session["user"] = username
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME, renewed on use
    return jsonify(user=username)


@app.post("/api/logout")
def log_out():
    session.clear()  # Flask deletes the cookie
    # the session lives in the signed cookie itself: a copy taken before the logout stays
    # valid until it expires. To revoke sessions, keep them server-side (e.g. in Redis).
    return "", 204


@app.get("/api/data")
def data():
    user = session.get("user")
    if user not in USERS:  # not logged in, or an account deleted since
        return jsonify(error="login required"), 401
    return jsonify(user=user, items=[1, 2, 3])
