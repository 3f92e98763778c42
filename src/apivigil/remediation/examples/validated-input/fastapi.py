"""Every input checked before use: 400 with a short message for bad input, a generic 500 for
anything that still slips through (pip install fastapi uvicorn)."""

from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

app = FastAPI()
ITEMS = [{"id": n, "name": f"item {n}"} for n in range(1, 251)]  # your database


@app.get("/api/items")
def items(limit: Annotated[int, Query(ge=1, le=100)] = 20,
          offset: Annotated[int, Query(ge=0, le=len(ITEMS))] = 0):
    # typed and bounded: FastAPI refuses "abc", 1.5 or 0 before this code runs
    return {"items": ITEMS[offset:offset + limit]}


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, exc: RequestValidationError):
    # 400 saying which input is wrong; unlike FastAPI's default 422, the values are not
    # echoed back
    details = [{"loc": [str(part) for part in error["loc"]], "msg": error["msg"]}
               for error in exc.errors()]
    return JSONResponse({"error": "invalid request", "details": details}, status_code=400)


@app.exception_handler(Exception)
async def unhandled(request: Request, exc: Exception):
    # the client learns nothing about the error; uvicorn still logs the traceback
    return JSONResponse({"error": "internal error"}, status_code=500)
