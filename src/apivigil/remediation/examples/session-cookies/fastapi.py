"""Session cookies with Secure, HttpOnly and SameSite in FastAPI, with Starlette's
SessionMiddleware (pip install fastapi uvicorn itsdangerous bcrypt).

The middleware signs its session cookie with SECRET_KEY: keep it out of the code, the same
for every worker and host. Make one with:
    export SECRET_KEY="$(python -c 'import secrets; print(secrets.token_hex(32))')"
"""

import os
import time
from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel
from starlette.middleware.sessions import SessionMiddleware

app = FastAPI()
app.add_middleware(
    SessionMiddleware,
    secret_key=os.environ["SECRET_KEY"],  # or your secret store
    https_only=True,  # Secure: never sent over http:// (off by default)
    same_site="lax",  # not sent with cross-site POSTs ("strict": with none)
    max_age=3600,  # seconds, counted from the last use (below); the cookie is always HttpOnly
)
# A cookie you set yourself takes the same flags (FastAPI's defaults are neither Secure nor
# HttpOnly):
#   response.set_cookie("name", value, secure=True, httponly=True, samesite="lax")

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


class Login(BaseModel):
    username: str
    password: str


def password_ok(username: str, password: str) -> bool:
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        return False
    stored = USERS.get(username, DUMMY_HASH)  # the same bcrypt work for unknown users
    return bcrypt.checkpw(secret, stored) and username in USERS


# Throttle failed logins here too (the `limits` library), or passwords can be guessed at
# full speed.
@app.post("/api/login")
def log_in(login: Login, request: Request):
    if not password_ok(login.username, login.password):
        raise HTTPException(status_code=401, detail="invalid credentials")
    request.session.clear()  # nothing from before the login is kept
    request.session["user"] = login.username
    return {"user": login.username}


@app.post("/api/logout", status_code=204)
def log_out(request: Request):
    request.session.clear()  # the middleware deletes the cookie
    # the session lives in the signed cookie itself: a copy taken before the logout stays
    # valid until it expires. To revoke sessions, keep them server-side (e.g. in Redis).
    return Response(status_code=204)


def current_user(request: Request) -> str:
    user = request.session.get("user")
    if user not in USERS:  # not logged in, or an account deleted since
        raise HTTPException(status_code=401, detail="login required")
    # a changed session is signed and sent again: max_age then runs from the last request
    # (an idle timeout, as with Flask's permanent sessions)
    request.session["seen"] = int(time.time())
    return user


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
