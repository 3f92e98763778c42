"""Authentication by default with FastAPI: every route of the API router requires a key, the
ones added next year too; public routes are few and sit outside it
(pip install fastapi uvicorn).

The router's dependency puts the requirement (and the declared 401) into the spec for every
operation it holds, so the spec shows which operations are public.
"""

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.security import APIKeyHeader

app = FastAPI(title="Reports API", version="1.0.0")
api_key = APIKeyHeader(name="X-API-Key")  # any security dependency works the same way

# sha256 of each API key -> its owner, from your key store: keep only hashes of the keys, as
# for passwords (long random keys need no slow hash). This one is "carol-example-api-key".
API_KEYS = {hashlib.sha256(b"carol-example-api-key").hexdigest(): "carol"}


def api_client(key: Annotated[str, Depends(api_key)]) -> str:
    owner = API_KEYS.get(hashlib.sha256(key.encode()).hexdigest())
    if owner is None:
        raise HTTPException(status_code=401, detail="invalid API key",
                            headers={"WWW-Authenticate": "APIKey"})
    return owner


# deny unless authenticated: the dependency runs before every route of this router. FastAPI
# does not document a security dependency's 401 by itself: declare it (and 403 where a route
# checks permissions), so clients and tests know the refusal.
api = APIRouter(prefix="/api", dependencies=[Depends(api_client)],
                responses={401: {"description": "no or bad API key"}})


@api.get("/data")
def data(owner: Annotated[str, Depends(api_client)]):  # the same call, run once per request
    return {"owner": owner, "items": [1, 2, 3]}


@api.get("/reports")
def reports():  # no dependency to forget
    return {"reports": []}


app.include_router(api)  # after the routes are added to the router


@app.get("/health")  # public on purpose: on the app, outside the router
def health():
    return {"status": "ok"}
