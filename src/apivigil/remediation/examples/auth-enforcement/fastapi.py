"""Deny by default in FastAPI: the app itself depends on the login, so every route needs it
(pip install fastapi uvicorn bcrypt)."""

from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials

# HTTPBasic answers a missing or malformed header with a 401 and the challenge itself; it
# decodes credentials as ASCII, so a non-ASCII user name or password is refused that way too
security = HTTPBasic(realm="api")

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        stored = USERS.get(credentials.username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and credentials.username in USERS:
            return credentials.username
    # one answer for every wrong user name or password: same status, body and challenge
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


# every route of this app, including those added later, runs current_user first
app = FastAPI(dependencies=[Depends(current_user)])

# routes anyone may call live in their own app, mounted on purpose (no spec: not the API)
public = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
app.mount("/public", public)


@public.get("/health")
def health():
    return {"status": "ok"}


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    # FastAPI runs a dependency once per request: asking for it again here costs nothing
    return {"user": user, "items": [1, 2, 3]}
