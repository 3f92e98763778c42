"""Object-level authorization in Flask: every note lookup is scoped to the caller
(pip install flask flask-httpauth bcrypt)."""

import bcrypt
from flask import Flask, abort, jsonify, request
from flask_httpauth import HTTPBasicAuth

app = Flask(__name__)


# Flask-HTTPAuth parses the Basic header itself: a malformed or non-ASCII one is no
# credentials (a 401), where Werkzeug's own request.authorization raises (a 500)
auth = HTTPBasicAuth(realm="api")

# user name -> bcrypt hash: your user store (made here so the example runs)
USERS = {name: bcrypt.hashpw(password.encode(), bcrypt.gensalt())
         for name, password in [("alice", "alice-correct-horse"),
                                ("bob", "bob-battery-staple")]}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())

# note id -> note: your database table
NOTES = {
    1: {"id": 1, "owner": "alice", "title": "alice's plan", "body": "private"},
    2: {"id": 2, "owner": "alice", "title": "alice's diary", "body": "private"},
    3: {"id": 3, "owner": "bob", "title": "bob's list", "body": "private"},
}


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


@app.errorhandler(404)
def not_found(error):
    return jsonify(error="not found"), 404  # the same for every missing thing


def notes_of(user):
    """The one place notes are looked up: the caller's own, never anyone else's.
    In SQL the owner is part of the query: WHERE owner_id = :user_id (SQLAlchemy:
    select(Note).where(Note.owner_id == user.id))."""
    return {note_id: note for note_id, note in NOTES.items() if note["owner"] == user}


def owned_note(note_id):
    """The caller's note, or 404: another user's note looks exactly like a missing one,
    so ids cannot be probed."""
    note = notes_of(auth.current_user()).get(note_id)
    if note is None:
        abort(404)
    return note


@app.get("/api/notes")
@auth.login_required
def list_notes():
    return jsonify(notes=list(notes_of(auth.current_user()).values()))


@app.get("/api/notes/<int:note_id>")
@auth.login_required
def get_note(note_id):
    return jsonify(owned_note(note_id))


@app.patch("/api/notes/<int:note_id>")
@auth.login_required
def update_note(note_id):
    note = owned_note(note_id)  # ownership first, then the body
    changes = request.get_json(silent=True)
    if (not isinstance(changes, dict) or not set(changes) <= {"title", "body"}
            or not all(isinstance(value, str) for value in changes.values())):
        return jsonify(error="only title and body (strings) can be changed"), 422
    note.update(changes)
    return jsonify(note)
