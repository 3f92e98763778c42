"""The spec and docs of an internal API kept from anonymous clients, with FastAPI
(pip install fastapi uvicorn).

Publishing the spec of a public API is fine; for an internal one it hands anyone the map of
every operation. Here FastAPI's public /openapi.json, /docs and /redoc are off, and
/openapi.json is served to authenticated clients only. Your own tools fetch it with a key:
curl -H "X-API-Key: $KEY" https://api.example.com/openapi.json
"""

import hashlib
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import APIKeyHeader

app = FastAPI(title="Internal API", version="1.0.0",
              openapi_url=None, docs_url=None, redoc_url=None)  # nothing public
api_key = APIKeyHeader(name="X-API-Key")

# sha256 of each API key -> its owner, from your key store. This one is "carol-example-api-key".
API_KEYS = {hashlib.sha256(b"carol-example-api-key").hexdigest(): "carol"}


def api_client(key: Annotated[str, Depends(api_key)]) -> str:
    owner = API_KEYS.get(hashlib.sha256(key.encode()).hexdigest())
    if owner is None:
        raise HTTPException(status_code=401, detail="invalid API key",
                            headers={"WWW-Authenticate": "APIKey"})
    return owner


@app.get("/openapi.json", include_in_schema=False)
def openapi(owner: Annotated[str, Depends(api_client)]):
    return app.openapi()  # built from the routes, as FastAPI's own /openapi.json is


@app.get("/api/data", responses={401: {"description": "no or bad API key"}})
def data(owner: Annotated[str, Depends(api_client)]):
    return {"owner": owner, "items": [1, 2, 3]}
