"""Generic JSON errors, no-store responses and logs without credentials, in FastAPI
(pip install fastapi uvicorn).

docs/hardened-fastapi-basic-auth.md puts this together with the https-only, basic-auth and
login-throttling examples into one hardened API.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI()
log = logging.getLogger("api")  # log user names and outcomes, never an Authorization header


@app.middleware("http")
async def generic_errors(request: Request, call_next):
    try:
        response = await call_next(request)
    except Exception:
        # the details go to the log (with the path, not the headers), never to the client
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = JSONResponse({"detail": "internal error"}, status_code=500)
    response.headers["Cache-Control"] = "no-store"  # answers to one user stay out of caches
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, error: RequestValidationError):
    # a generic 422: the validation details can echo what the client sent
    return JSONResponse({"detail": "invalid request"}, status_code=422)


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, error: StarletteHTTPException):
    # JSON for every HTTP error (404, 405...), keeping its headers (WWW-Authenticate, Allow)
    return JSONResponse({"detail": error.detail}, status_code=error.status_code,
                        headers=error.headers)


@app.get("/api/data")
def data():
    return {"items": [1, 2, 3]}
