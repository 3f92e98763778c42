"""JWTs done right in FastAPI: OAuth2PasswordBearer with PyJWT and a pinned algorithm
(pip install fastapi uvicorn python-multipart pyjwt bcrypt).

The signing key comes from the environment, never from the code, and every worker and host
must share it (a key made at start-up would differ between workers and log everyone out on a
restart). Make one with:
    export JWT_SECRET="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
"""

import os
import time
from typing import Annotated

import bcrypt
import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

JWT_SECRET = os.environ["JWT_SECRET"]  # or your secret store
if len(JWT_SECRET.encode()) < 32:
    raise RuntimeError("JWT_SECRET must hold at least 32 random bytes (256 bits)")
JWT_ALGORITHM = "HS256"  # pinned here: never read from the token's own header
TOKEN_LIFETIME_S = 15 * 60  # short-lived: a leaked token is useful for minutes, not forever

app = FastAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")  # answers 401 when there is no bearer token

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def password_ok(username: str, password: str) -> bool:
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        return False
    stored = USERS.get(username, DUMMY_HASH)  # the same bcrypt work for unknown users
    return bcrypt.checkpw(secret, stored) and username in USERS


# Throttle failed logins here too (the `limits` library), or passwords can be guessed at
# full speed.
@app.post("/token")
def issue_token(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    if not password_ok(form.username, form.password):
        raise HTTPException(status_code=401, detail="invalid credentials",
                            headers={"WWW-Authenticate": "Bearer"})
    now = int(time.time())
    claims = {"sub": form.username, "iat": now, "nbf": now, "exp": now + TOKEN_LIFETIME_S}
    return {"access_token": jwt.encode(claims, JWT_SECRET, algorithm=JWT_ALGORITHM),
            "token_type": "bearer", "expires_in": TOKEN_LIFETIME_S}


def current_user(token: Annotated[str, Depends(oauth2)]) -> str:
    try:
        # algorithms=[...] refuses alg none and any other algorithm (RS/HS confusion); the
        # signature, exp and nbf are verified, and a token without exp, iat or sub is refused.
        # No leeway: this app issues and verifies its tokens with the same clock.
        claims = jwt.decode(token, JWT_SECRET, algorithms=[JWT_ALGORITHM],
                            options={"require": ["exp", "iat", "sub"]})
    except jwt.InvalidTokenError:
        raise HTTPException(status_code=401, detail="invalid or expired token",
                            headers={"WWW-Authenticate": "Bearer"}) from None
    if claims["sub"] not in USERS:  # a valid token of an account deleted since
        raise HTTPException(status_code=401, detail="invalid or expired token",
                            headers={"WWW-Authenticate": "Bearer"})
    return claims["sub"]


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
