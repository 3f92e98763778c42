"""Only https:// servers in the spec, and the API served over HTTPS only, with FastAPI
(pip install fastapi uvicorn).

Clients and SDKs generated from the spec call the servers it lists: an http:// entry sends
their credentials in cleartext. Best done at the proxy too; this is the same in the app.
Starlette's HTTPSRedirectMiddleware alone is not enough: it keeps a non-default port
(sending clients to the http:// port over https://) and answers 307.
"""

import hashlib
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse
from fastapi.security import APIKeyHeader

# the servers the spec lists: https:// only
app = FastAPI(title="Data API", version="1.0.0",
              servers=[{"url": "https://api.example.com", "description": "production"}])
app.state.https_port = 443  # the port clients reach HTTPS on: set it when it is not 443
# Behind a reverse proxy: uvicorn --proxy-headers --forwarded-allow-ips=<the proxy's address>,
# so that request.url.scheme is the client's scheme, not the proxy's.

api_key = APIKeyHeader(name="X-API-Key")
# sha256 of each API key -> its owner, from your key store. This one is "carol-example-api-key".
API_KEYS = {hashlib.sha256(b"carol-example-api-key").hexdigest(): "carol"}


def api_client(key: Annotated[str, Depends(api_key)]) -> str:
    owner = API_KEYS.get(hashlib.sha256(key.encode()).hexdigest())
    if owner is None:
        raise HTTPException(status_code=401, detail="invalid API key",
                            headers={"WWW-Authenticate": "APIKey"})
    return owner


@app.middleware("http")
async def https_only(request: Request, call_next):
    if request.url.scheme != "https":
        port = app.state.https_port
        secure = request.url.replace(scheme="https", port=None if port == 443 else port)
        # 308: permanent, and the method and body are kept; before any credential check
        return RedirectResponse(str(secure), status_code=308)
    response = await call_next(request)
    response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/api/data", responses={401: {"description": "no or bad API key"}})
def data(owner: Annotated[str, Depends(api_client)]):
    return {"owner": owner, "items": [1, 2, 3]}
