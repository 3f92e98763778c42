"""A user listing for administrators only, with hashed passwords and explicit fields
(pip install flask flask-httpauth bcrypt marshmallow).

Store a slow salted hash of each password, never the password (a leaked table then gives an
attacker hashes to crack, one guess at a time, not passwords to use), and list users only to
a caller with the administrative role, field by field. Rotate every password a listing has
already shown.
"""

import bcrypt
from flask import Flask, jsonify
from flask_httpauth import HTTPBasicAuth
from marshmallow import Schema, fields

app = Flask(__name__)


# Flask-HTTPAuth parses the Basic header itself: a malformed or non-ASCII one is no
# credentials (a 401), where Werkzeug's own request.authorization raises (a 500)
auth = HTTPBasicAuth(realm="api")


def hash_password(password):
    """What to store at sign-up and password change: the bcrypt hash, never the password."""
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse such passwords at sign-up
        raise ValueError("passwords are limited to 72 bytes")
    return bcrypt.hashpw(secret, bcrypt.gensalt())


# user name -> account, from your user store (made here so the example runs)
USERS = {
    "carol": {"id": 1, "username": "carol", "role": "admin",
              "password_hash": hash_password("correct-horse-battery")},
    "dave": {"id": 2, "username": "dave", "role": "user",
             "password_hash": hash_password("staple-battery-horse")},
}
DUMMY_HASH = hash_password("no user has this password")


class UserSchema(Schema):
    # what an administrator needs to see: never the password or its hash
    id = fields.Integer()
    username = fields.String()
    role = fields.String()


users_schema = UserSchema(many=True)


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes: no such password was stored
        return None
    account = USERS.get(username)
    stored = account["password_hash"] if account else DUMMY_HASH  # same work for unknown users
    if bcrypt.checkpw(secret, stored) and account:
        return account
    return None


@auth.get_user_roles
def roles(account):
    return account["role"]


@auth.error_handler
def refuse(status):
    # 401 without valid credentials, 403 for a user without the role
    return jsonify(error="invalid credentials" if status == 401 else "forbidden"), status


@app.get("/api/users")
@auth.login_required(role="admin")
def list_users():
    return jsonify(users=users_schema.dump(USERS.values()))
