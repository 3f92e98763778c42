"""Answers that name the caller, never their credentials, with FastAPI's HTTPBasic
(pip install fastapi uvicorn bcrypt).

Return the identity (user name, id) after a login and one fixed message after a failure:
never the password, the Authorization header or `request.headers`, whether the login worked
or not. Logs follow the same rule.
"""

from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials

app = FastAPI()
security = HTTPBasic(realm="api")  # refuses malformed headers with a 401 itself

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        stored = USERS.get(credentials.username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and credentials.username in USERS:
            return credentials.username
    # the same answer for every failure, quoting nothing the client sent
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.get("/api/me")
def me(user: Annotated[str, Depends(current_user)]):
    return {"user": user}  # who the caller is, not what they sent
