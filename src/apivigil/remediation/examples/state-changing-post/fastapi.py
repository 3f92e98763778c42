"""State changes are POSTs for admins, never GETs (pip install fastapi uvicorn)."""

import hashlib
import secrets
import threading
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()
bearer = HTTPBearer()  # 401 when there is no Bearer token at all


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


# SHA-256 of each token you issued -> its user, from your user store (only hashes are kept);
# one admin token is made here so the example runs
ADMIN_TOKEN = secrets.token_urlsafe(32)
USERS_BY_TOKEN = {digest(ADMIN_TOKEN): {"name": "carol", "roles": ["admin"]}}

SAMPLE = [{"id": 1, "name": "widget"}, {"id": 2, "name": "gadget"}]
items = [dict(item) for item in SAMPLE]  # your database
lock = threading.Lock()


def admin(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]):
    user = USERS_BY_TOKEN.get(digest(credentials.credentials))
    if user is None:
        raise HTTPException(status_code=401, detail="invalid token",
                            headers={"WWW-Authenticate": "Bearer"})
    if "admin" not in user["roles"]:
        raise HTTPException(status_code=403, detail="admins only")
    return user


@app.get("/api/items")
def listing():
    with lock:
        return {"items": list(items)}


# Not @app.get("/api/reset"): crawlers, link previews, prefetching browsers and any <img> tag
# on a hostile page send GETs. A GET to this URL now answers 405 and changes nothing.
# With cookie sessions instead of tokens, also require a CSRF token.
@app.post("/api/reset", status_code=204, dependencies=[Depends(admin)])
def reset():
    with lock:
        items[:] = [dict(item) for item in SAMPLE]
