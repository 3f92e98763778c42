"""Throttled failed logins in FastAPI with `limits`, the library under slowapi
(pip install fastapi uvicorn limits bcrypt).

slowapi's @limiter.limit runs after FastAPI's dependencies, so a 401 raised by the
authentication dependency is never counted; counting failures in the dependency itself is.
"""

import time
from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from limits import parse, storage, strategies

app = FastAPI()
security = HTTPBasic(realm="api")
# memory:// counts in this process only: with several workers or hosts use a shared backend,
# e.g. storage.storage_from_string("redis://localhost:6379").
failures = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
FAILED_LOGINS = parse("10 per 15 minutes")  # per client address
# Without a proxy run uvicorn with --no-proxy-headers (by default it trusts X-Forwarded-For
# from 127.0.0.1); behind one: --proxy-headers --forwarded-allow-ips=<the proxy's address>,
# so that request.client.host is the client's address, not the proxy's.

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def current_user(request: Request,
                 credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    client = request.client.host if request.client else "unknown"
    if not failures.test(FAILED_LOGINS, client):
        reset = failures.get_window_stats(FAILED_LOGINS, client).reset_time
        raise HTTPException(status_code=429, detail="too many failed logins",
                            headers={"Retry-After": str(max(1, int(reset - time.time())))})
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        stored = USERS.get(credentials.username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and credentials.username in USERS:
            return credentials.username
    failures.hit(FAILED_LOGINS, client)
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}
