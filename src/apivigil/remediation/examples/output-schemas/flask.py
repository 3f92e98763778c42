"""Responses through an explicit output schema per audience, in Flask with pydantic: other
users see a public view, a user sees their own private one, and no schema carries the
password hash (pip install flask flask-httpauth bcrypt pydantic)."""

import bcrypt
from flask import Flask, jsonify
from flask_httpauth import HTTPBasicAuth
from pydantic import BaseModel, ConfigDict

app = Flask(__name__)


# Flask-HTTPAuth parses the Basic header itself: a malformed or non-ASCII one is no
# credentials (a 401), where Werkzeug's own request.authorization raises (a 500)
auth = HTTPBasicAuth(realm="api")

# user name -> stored record: your user table (made here so the example runs)
USERS = {
    name: {"id": uid, "username": name, "email": f"{name}@example.com", "role": "user",
           "password_hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt())}
    for uid, name, password in [(1, "alice", "alice-correct-horse"),
                                (2, "bob", "bob-battery-staple")]
}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


class PublicUser(BaseModel):
    """What any logged-in user may see of another user."""

    model_config = ConfigDict(from_attributes=True)  # dicts, and your ORM's objects too
    id: int
    username: str


class PrivateUser(PublicUser):
    """What users see of themselves (an admin-only route could use it too)."""

    email: str
    role: str

# No schema has password_hash: validating a stored record through one of them drops every
# field it does not declare, so a column added to the table later stays private too.


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes
        return None
    user = USERS.get(username)
    stored = user["password_hash"] if user else DUMMY_HASH  # the same work for unknown users
    if bcrypt.checkpw(secret, stored) and user:
        return username
    return None


@auth.error_handler
def refuse(status):
    return jsonify(error="invalid credentials"), status


@app.get("/api/users")
@auth.login_required
def list_users():
    # mode="json": dates, UUIDs and decimals come out as JSON types, as FastAPI does
    return jsonify(users=[PublicUser.model_validate(user).model_dump(mode="json")
                          for user in USERS.values()])


@app.get("/api/users/me")
@auth.login_required
def me():
    user = USERS[auth.current_user()]
    return jsonify(PrivateUser.model_validate(user).model_dump(mode="json"))
