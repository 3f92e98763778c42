"""Bind only the fields a client may set, in Flask with pydantic: the owner and any role
or flag come from the server (pip install flask flask-httpauth bcrypt pydantic)."""

import itertools

import bcrypt
from flask import Flask, jsonify, request
from flask_httpauth import HTTPBasicAuth
from pydantic import BaseModel, ConfigDict, Field, ValidationError

app = Flask(__name__)


# Flask-HTTPAuth parses the Basic header itself: a malformed or non-ASCII one is no
# credentials (a 401), where Werkzeug's own request.authorization raises (a 500)
auth = HTTPBasicAuth(realm="api")

# user name -> bcrypt hash: your user store (made here so the example runs)
USERS = {name: bcrypt.hashpw(password.encode(), bcrypt.gensalt())
         for name, password in [("alice", "alice-correct-horse"),
                                ("bob", "bob-battery-staple")]}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())

NOTES = {}  # note id -> note: your database table
NEXT_ID = itertools.count(1)  # your database's ids


class NoteIn(BaseModel):
    """What a client may send, and nothing else: owner, role, is_admin... are a 422."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=10_000)


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


@app.post("/api/notes")
@auth.login_required
def create_note():
    try:
        # not JSON, or not an object: None, which the model refuses like any bad body
        data = NoteIn.model_validate(request.get_json(silent=True))
    except ValidationError as exc:
        # which fields are wrong, without echoing the values sent
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return jsonify(error="invalid note", details=errors), 422
    # the fields the server sets come last, so nothing in the body can override them
    note = {**data.model_dump(), "id": next(NEXT_ID), "owner": auth.current_user()}
    NOTES[note["id"]] = note
    return jsonify(note), 201


@app.get("/api/notes")
@auth.login_required
def list_notes():
    user = auth.current_user()
    return jsonify(notes=[note for note in NOTES.values() if note["owner"] == user])
