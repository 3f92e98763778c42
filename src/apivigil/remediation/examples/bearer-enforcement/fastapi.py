"""Bearer tokens (JWT) verified on every request in FastAPI, with the algorithm pinned
(pip install fastapi uvicorn python-multipart pyjwt bcrypt)."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

import bcrypt
import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

# Load the key from your secret store, the same for every worker: a key made at start-up
# (as here, so the example runs) signs everyone out on restart. HS256 wants 32+ bytes.
SECRET_KEY = secrets.token_bytes(32)
ALGORITHMS = ["HS256"]  # pinned: never read the algorithm from the token itself
AUDIENCE = "api"  # tokens minted for another service are refused
TOKEN_LIFETIME = timedelta(minutes=15)

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())

app = FastAPI()
# a missing header or another scheme: 401 with WWW-Authenticate: Bearer
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def refuse(detail):
    return HTTPException(status_code=401, detail=detail,
                         headers={"WWW-Authenticate": "Bearer"})  # as oauth2_scheme's


@app.post("/token")
def issue_token(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    secret = form.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        stored = USERS.get(form.username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and form.username in USERS:
            now = datetime.now(UTC)
            claims = {"sub": form.username, "aud": AUDIENCE, "iat": now,
                      "exp": now + TOKEN_LIFETIME}
            token = jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHMS[0])
            return {"access_token": token, "token_type": "bearer"}
    raise HTTPException(status_code=400, detail="invalid_grant")  # RFC 6749, section 5.2


def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
    try:
        # an empty, malformed, unsigned ("alg": "none"), expired or forged token raises
        claims = jwt.decode(token, SECRET_KEY, algorithms=ALGORITHMS, audience=AUDIENCE,
                            options={"require": ["exp", "sub", "aud"]})
    except jwt.InvalidTokenError:
        raise refuse("invalid token") from None
    if claims["sub"] not in USERS:  # a valid token of an account deleted since
        raise refuse("invalid token")
    return claims["sub"]


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
