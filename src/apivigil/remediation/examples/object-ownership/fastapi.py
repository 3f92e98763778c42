"""Object-level authorization in FastAPI: every note lookup is scoped to the caller
(pip install fastapi uvicorn bcrypt)."""

from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, ConfigDict

app = FastAPI()
security = HTTPBasic(realm="api")  # refuses malformed headers with a 401 itself

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


class Note(BaseModel):
    id: int
    owner: str
    title: str
    body: str


class NoteChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")  # anything else: 422
    title: str | None = None
    body: str | None = None


def current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        stored = USERS.get(credentials.username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and credentials.username in USERS:
            return credentials.username
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


def notes_of(user: str) -> dict[int, dict]:
    """The one place notes are looked up: the caller's own, never anyone else's.
    In SQL the owner is part of the query: WHERE owner_id = :user_id (SQLAlchemy:
    select(Note).where(Note.owner_id == user.id))."""
    return {note_id: note for note_id, note in NOTES.items() if note["owner"] == user}


def owned_note(note_id: int, user: Annotated[str, Depends(current_user)]) -> dict:
    """The caller's note, or 404: another user's note looks exactly like a missing one,
    so ids cannot be probed. Every route on one note depends on this."""
    note = notes_of(user).get(note_id)
    if note is None:
        raise HTTPException(status_code=404, detail="not found")
    return note


@app.get("/api/notes", response_model=list[Note])
def list_notes(user: Annotated[str, Depends(current_user)]):
    return list(notes_of(user).values())


@app.get("/api/notes/{note_id}", response_model=Note)
def get_note(note: Annotated[dict, Depends(owned_note)]):
    return note


@app.patch("/api/notes/{note_id}", response_model=Note)
def update_note(changes: NoteChanges, note: Annotated[dict, Depends(owned_note)]):
    # owned_note runs before the body's fields are validated: another user's note gets the
    # very answer a missing one gets
    note.update(changes.model_dump(exclude_unset=True, exclude_none=True))
    return note
