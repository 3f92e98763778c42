"""Function-level authorization in FastAPI: admin routes live on one router whose
dependency demands the admin role, so a route added there later is protected too
(pip install fastapi uvicorn bcrypt)."""

from typing import Annotated

import bcrypt
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials

app = FastAPI()
security = HTTPBasic(realm="api")  # refuses malformed headers with a 401 itself

# user name -> bcrypt hash and role: your user store (made here so the example runs)
USERS = {name: {"hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt()), "role": role}
         for name, password, role in [("alice", "alice-correct-horse", "user"),
                                      ("carol", "correct-horse-battery", "admin")]}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes
        user = USERS.get(credentials.username)
        stored = user["hash"] if user else DUMMY_HASH  # same work for unknown users
        if bcrypt.checkpw(secret, stored) and user:
            return credentials.username
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


def require_role(*roles: str):
    """A dependency that lets through only users with one of `roles` (read from the
    store, never from the request): 403 for everyone else."""

    def check(user: Annotated[str, Depends(current_user)]) -> str:
        if USERS[user]["role"] not in roles:
            raise HTTPException(status_code=403, detail="forbidden")
        return user

    return check


@app.get("/api/data")
def data(user: Annotated[str, Depends(current_user)]):
    return {"user": user, "items": [1, 2, 3]}


# every route of this router, whatever its method, runs require_role first
admin = APIRouter(prefix="/api/admin", dependencies=[Depends(require_role("admin"))])


@admin.get("/users")
def list_users():
    return [{"username": name, "role": user["role"]} for name, user in USERS.items()]


@admin.post("/reindex")
def reindex():
    return {"status": "reindexed"}


app.include_router(admin)  # after its routes: include_router copies the routes it has now
