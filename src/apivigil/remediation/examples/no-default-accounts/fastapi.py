"""No default accounts in FastAPI: the first administrator's password comes from the operator
(or is random and shown once), and well-known passwords are refused wherever a password is
set (pip install fastapi uvicorn bcrypt)."""

import os
import secrets
import sys
from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials

app = FastAPI()
# HTTPBasic answers a missing or malformed header with a 401 and the challenge itself; it
# decodes credentials as ASCII, so a non-ASCII user name or password is refused that way too
security = HTTPBasic(realm="api")

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
    if not password.isascii():  # HTTPBasic could never log this user in
        raise ValueError(f"{username}: HTTP Basic here takes ASCII passwords only")
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


def current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        stored = USERS.get(credentials.username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and credentials.username in USERS:
            return credentials.username
    # one answer for every wrong user name or password: same status, body and challenge
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
