"""A user listing for administrators only, with hashed passwords and explicit fields
(pip install fastapi uvicorn bcrypt).

Store a slow salted hash of each password, never the password (a leaked table then gives an
attacker hashes to crack, one guess at a time, not passwords to use), and list users only to
a caller with the administrative role, field by field. Rotate every password a listing has
already shown.
"""

from typing import Annotated, Any

import bcrypt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel

app = FastAPI()
security = HTTPBasic(realm="api")  # refuses malformed headers with a 401 itself


def hash_password(password: str) -> bytes:
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


class UserOut(BaseModel):
    # what an administrator needs to see: never the password or its hash
    id: int
    username: str
    role: str


class UserList(BaseModel):
    users: list[UserOut]


def current_account(
        credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> dict[str, Any]:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes: no such password was stored
        account = USERS.get(credentials.username)
        stored = account["password_hash"] if account else DUMMY_HASH  # same work for all
        if bcrypt.checkpw(secret, stored) and account:
            return account
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


def administrator(account: Annotated[dict[str, Any], Depends(current_account)]):
    if account["role"] != "admin":
        raise HTTPException(status_code=403, detail="forbidden")
    return account


@app.get("/api/users", response_model=UserList, dependencies=[Depends(administrator)])
def list_users():
    return UserList(users=[UserOut(id=u["id"], username=u["username"], role=u["role"])
                           for u in USERS.values()])
