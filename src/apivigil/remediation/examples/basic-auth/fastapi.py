"""HTTP Basic done right with FastAPI's HTTPBasic (pip install fastapi uvicorn bcrypt)."""

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
    # bcrypt 5 raises past 72 bytes: refuse such passwords (and at sign-up too)
    if len(secret) <= 72:
        stored = USERS.get(credentials.username, DUMMY_HASH)  # same work for unknown users
        # checkpw compares in constant time; compare plain tokens with secrets.compare_digest
        if bcrypt.checkpw(secret, stored) and credentials.username in USERS:
            return credentials.username
    # one answer for every failure: same status, body and challenge
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
