"""HTTPS only, with HSTS, in FastAPI (pip install fastapi uvicorn).

Best done at the proxy; this is the same in the app. Starlette's HTTPSRedirectMiddleware is
not enough on its own: it keeps a non-default port (sending clients to the http:// port over
https://) and answers 307, which clients do not remember.
"""

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

app = FastAPI()
app.state.https_port = 443  # the port clients reach HTTPS on: set it when it is not 443
# Behind a reverse proxy: uvicorn --proxy-headers --forwarded-allow-ips=<the proxy's address>,
# so that request.url.scheme is the client's scheme, not the proxy's.


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


@app.get("/api/data")
def data():
    return {"items": [1, 2, 3]}
