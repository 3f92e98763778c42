"""API keys in a header, never in the URL, with FastAPI (pip install fastapi uvicorn).

A key in the query string (?api_key=...) is written to server and proxy logs, browser
history and Referer headers. APIKeyHeader reads it from X-API-Key only (not APIKeyQuery) and
documents that in the spec (in: header).
"""

import hashlib
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import APIKeyHeader

app = FastAPI(title="Data API", version="1.0.0")
api_key = APIKeyHeader(name="X-API-Key")  # a missing header is a 401 already

# sha256 of each API key -> its owner, from your key store: keep only hashes of the keys, as
# for passwords (long random keys need no slow hash). This one is "carol-example-api-key".
API_KEYS = {hashlib.sha256(b"carol-example-api-key").hexdigest(): "carol"}


def api_client(key: Annotated[str, Depends(api_key)]) -> str:
    owner = API_KEYS.get(hashlib.sha256(key.encode()).hexdigest())
    if owner is None:
        raise HTTPException(status_code=401, detail="invalid API key",
                            headers={"WWW-Authenticate": "APIKey"})
    return owner


@app.get("/api/data", responses={401: {"description": "no or bad API key"}})
def data(owner: Annotated[str, Depends(api_client)]):
    return {"owner": owner, "items": [1, 2, 3]}
