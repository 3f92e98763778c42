"""Production errors in FastAPI: debug off, one generic answer, the details in the server log
only (pip install fastapi uvicorn bcrypt).

Serve it without --reload and with debug off (the default):
    uvicorn app:app --workers 4
FastAPI(debug=True) sends every exception's traceback, with source lines, to the client.
"""

from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

app = FastAPI(debug=False)
# HTTPBasic answers a missing or malformed header with a 401 and the challenge itself; it
# decodes credentials as ASCII, so a non-ASCII user name or password is refused that way too
security = HTTPBasic(realm="api")

USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def stored_hash(username):
    """The user's bcrypt hash, None for no such user: your user store (a dict here so the
    example runs). When it fails (database down...), the error handler below answers."""
    return USERS.get(username)


def current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        stored = stored_hash(credentials.username)
        if bcrypt.checkpw(secret, stored or DUMMY_HASH) and stored is not None:
            return credentials.username
    # one answer for every wrong user name or password: same status, body and challenge
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.exception_handler(Exception)
async def internal_error(request: Request, exc: Exception):
    # Starlette raises the exception again after this answer: uvicorn logs the traceback
    return JSONResponse({"detail": "internal error"}, status_code=500)


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
