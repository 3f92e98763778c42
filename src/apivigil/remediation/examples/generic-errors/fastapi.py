"""Generic error answers, with the details in the server log only, in FastAPI
(pip install fastapi uvicorn).

Never serve an API with FastAPI(debug=True): its error answers carry the traceback, with the
lines of code around each frame. Unhandled errors then reach the handler below, which answers
with a generic body; uvicorn logs the traceback as well.
"""

import logging
import sqlite3

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()  # debug=False, the default
log = logging.getLogger("api")


@app.exception_handler(Exception)
async def unexpected_error(request: Request, error: Exception):
    log.error("unhandled error", exc_info=error)  # the traceback goes to the log only
    return JSONResponse({"detail": "internal error"}, status_code=500)


@app.get("/api/items")
def items():
    # your data access; here an empty in-memory database whose query fails ("no such table"),
    # to show what the client gets then: a 500 with a generic body
    with sqlite3.connect(":memory:") as db:
        rows = db.execute("SELECT id, name FROM items").fetchall()
    return {"items": [{"id": id_, "name": name} for id_, name in rows]}
