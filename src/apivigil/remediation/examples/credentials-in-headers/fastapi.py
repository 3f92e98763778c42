"""API tokens only in the Authorization header, never in the URL, in FastAPI
(pip install fastapi uvicorn)."""

import hashlib
import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()

# Query parameters that carry credentials (adapt to your API's names). URLs end up in access
# logs, browser history and Referer headers: rotate any credential ever sent in one.
CREDENTIAL_PARAMS = {"access_token", "token", "api_key", "apikey", "key", "auth", "jwt",
                     "password", "passwd", "pwd", "secret", "client_secret", "session_id",
                     "sessionid", "sid"}


@app.middleware("http")
async def no_credentials_in_url(request: Request, call_next):
    # refused before any authentication: a client that sends one learns to stop, and no code
    # path can read it
    if CREDENTIAL_PARAMS & {name.lower().replace("-", "_") for name in request.query_params}:
        return JSONResponse(
            {"detail": "send credentials in the Authorization header, not the URL"},
            status_code=400)
    return await call_next(request)


bearer = HTTPBearer(auto_error=False)  # only the Authorization header, never the query

# SHA-256 of each API token -> its user, from your token store: keep only the hashes, so a
# leaked table holds no usable token (a lookup by hash gives no timing clue about a token)
TOKENS = {}


def new_token(user):
    token = secrets.token_urlsafe(32)
    TOKENS[hashlib.sha256(token.encode()).hexdigest()] = user
    return token


print("API token for carol:", new_token("carol"))  # made here so the example runs


def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    if credentials is not None:
        user = TOKENS.get(hashlib.sha256(credentials.credentials.encode()).hexdigest())
        if user is not None:
            return user
    # one answer for every failure, with the challenge RFC 9110 asks of a 401
    raise HTTPException(status_code=401, detail="invalid token",
                        headers={"WWW-Authenticate": "Bearer"})


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
