"""No default accounts in Flask: the first administrator's password comes from the operator
(or is random and shown once), and well-known passwords are refused wherever a password is
set (pip install flask flask-httpauth bcrypt)."""

import os
import secrets
import sys

import bcrypt
from flask import Flask, jsonify
from flask_httpauth import HTTPBasicAuth

app = Flask(__name__)
auth = HTTPBasicAuth(realm="api")

MIN_LENGTH = 12
# defaults and common passwords nobody may choose; extend it with a breached-password list
# (e.g. Have I Been Pwned's) for real protection
COMMON_PASSWORDS = {"administrator", "password1234", "changeme1234", "qwertyuiop12",
                    "123456789012", "letmein12345", "welcome12345", "passw0rd1234"}

# user name -> bcrypt hash: your user store (a dict here so the example runs)
USERS = {}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def set_password(username, password):
    """The one place a password is chosen: sign-up, reset, seeding all come through here."""
    secret = password.encode()
    if (len(password) < MIN_LENGTH or password.lower() in COMMON_PASSWORDS
            or username.lower() in password.lower()):
        raise ValueError(f"{username}: choose a longer password that is not a common one")
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes
        raise ValueError(f"{username}: at most 72 bytes of password")
    USERS[username] = bcrypt.hashpw(secret, bcrypt.gensalt())


# The first administrator: never a well-known password. ADMIN_PASSWORD comes from the
# deployment's secrets (a weak one stops the start-up), else a random password is printed
# once to the server's console for the operator to change.
admin_password = os.environ.get("ADMIN_PASSWORD")
if not admin_password:
    admin_password = secrets.token_urlsafe(18)
    print(f"first start: the password of 'admin' is {admin_password}", file=sys.stderr)
set_password("admin", admin_password)
set_password("carol", "correct-horse-battery")  # your users, from your user store


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes
        return None
    stored = USERS.get(username, DUMMY_HASH)  # the same work for unknown users
    if bcrypt.checkpw(secret, stored) and username in USERS:
        return username
    return None


@auth.error_handler
def refuse(status):
    return jsonify(error="invalid credentials"), status


@app.get("/api/data")
@auth.login_required
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
