"""Authenticated responses kept out of browser and proxy caches, in FastAPI
(pip install fastapi uvicorn bcrypt).

`Cache-Control: no-store` on every response: no browser disk cache keeps an account's data
after logout, and no shared proxy or CDN serves it to someone else. A route whose answer is
the same for everyone (a public catalogue) may set its own Cache-Control instead.
"""

from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException, Request
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
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.middleware("http")
async def no_store(request: Request, call_next):
    response = await call_next(request)
    # every answer, unless its route chose a Cache-Control of its own for public data
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
