"""Bind only the fields a client may set, in FastAPI: the request model forbids any other
field, and the owner comes from the server (pip install fastapi uvicorn bcrypt)."""

import itertools
from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI()
security = HTTPBasic(realm="api")  # refuses malformed headers with a 401 itself

# user name -> bcrypt hash: your user store (made here so the example runs)
USERS = {name: bcrypt.hashpw(password.encode(), bcrypt.gensalt())
         for name, password in [("alice", "alice-correct-horse"),
                                ("bob", "bob-battery-staple")]}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())

NOTES = {}  # note id -> note: your database table
NEXT_ID = itertools.count(1)  # your database's ids


class NoteIn(BaseModel):
    """What a client may send, and nothing else: owner, role, is_admin... are a 422
    (the OpenAPI schema says so too: additionalProperties false)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=10_000)


class Note(NoteIn):
    """What the API answers: the client's fields plus the ones the server sets."""

    id: int
    owner: str


def current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        stored = USERS.get(credentials.username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and credentials.username in USERS:
            return credentials.username
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.post("/api/notes", response_model=Note, status_code=201)
def create_note(data: NoteIn, user: Annotated[str, Depends(current_user)]):
    # the fields the server sets come last, so nothing in the body can override them
    note = {**data.model_dump(), "id": next(NEXT_ID), "owner": user}
    NOTES[note["id"]] = note
    return note


@app.get("/api/notes", response_model=list[Note])
def list_notes(user: Annotated[str, Depends(current_user)]):
    return [note for note in NOTES.values() if note["owner"] == user]
