"""Responses through an explicit output schema per audience, in FastAPI: each route's
response_model filters what it returns, so other users see a public view, a user sees
their own private one, and no schema carries the password hash
(pip install fastapi uvicorn bcrypt)."""

from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, ConfigDict

app = FastAPI()
security = HTTPBasic(realm="api")  # refuses malformed headers with a 401 itself

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

# No schema has password_hash: response_model drops every field it does not declare, so
# returning the stored record is safe, and a column added to the table later stays private.


def current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> dict:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        user = USERS.get(credentials.username)
        stored = user["password_hash"] if user else DUMMY_HASH  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and user:
            return user
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.get("/api/users", response_model=list[PublicUser])
def list_users(user: Annotated[dict, Depends(current_user)]):
    return list(USERS.values())


@app.get("/api/users/me", response_model=PrivateUser)
def me(user: Annotated[dict, Depends(current_user)]):
    return user
