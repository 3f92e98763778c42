"""A small FastAPI API with HTTP Basic done right: HTTPS only with HSTS, hashed credentials
with constant work, throttled failures, generic errors, no credentials in logs
(pip install fastapi uvicorn limits bcrypt).

Serve it with uvicorn over TLS: `uvicorn app:app --ssl-certfile ... --ssl-keyfile ...
--no-proxy-headers` (uvicorn otherwise trusts X-Forwarded-For from 127.0.0.1, and anyone on
the host could choose the address the limiter counts), or behind a reverse proxy with
`--proxy-headers --forwarded-allow-ips=<the proxy's address>`.
"""

import logging
import time
from typing import Annotated

import bcrypt
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from limits import parse, storage, strategies
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI()
app.state.https_port = 443  # the port clients reach HTTPS on: set it when it is not 443
security = HTTPBasic(realm="api")  # refuses malformed headers with a 401 itself
# memory:// counts in this process only: with several workers or hosts use a shared backend,
# e.g. storage.storage_from_string("redis://localhost:6379").
failures = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
FAILED_LOGINS = parse("10 per 15 minutes")  # per client address
log = logging.getLogger("api")  # log user names and outcomes, never an Authorization header

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
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        stored = USERS.get(credentials.username, DUMMY_HASH)  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and credentials.username in USERS:
            return credentials.username
    failures.hit(FAILED_LOGINS, client)
    # one answer for every failure: same status, body and challenge
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.middleware("http")
async def https_only(request: Request, call_next):
    if request.url.scheme != "https":
        port = app.state.https_port
        secure = request.url.replace(scheme="https", port=None if port == 443 else port)
        # 308: permanent, and the method and body are kept; before any credential check
        return RedirectResponse(str(secure), status_code=308)
    try:
        response = await call_next(request)
    except Exception:
        log.exception("unhandled error")  # the details go to the log, never to the client
        response = JSONResponse({"detail": "internal error"}, status_code=500)
    response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, error: RequestValidationError):
    # a generic 422: the validation details can echo what the client sent
    return JSONResponse({"detail": "invalid request"}, status_code=422)


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, error: StarletteHTTPException):
    return JSONResponse({"detail": error.detail}, status_code=error.status_code,
                        headers=error.headers)


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    log.info("data read by %s", user)
    return {"user": user, "items": [1, 2, 3]}
