"""Method override only where it is safe: a POST with a header may become PUT, PATCH or
DELETE, nothing else (pip install fastapi uvicorn). Safest of all is no override: delete
MethodOverride if your clients can send PUT and DELETE themselves."""

from fastapi import FastAPI


class MethodOverride:
    """ASGI middleware: X-HTTP-Method-Override turns a POST into PUT, PATCH or DELETE.

    A GET (a link, an <img> tag, a crawler) stays a GET. Only the header counts, never a
    ?_method= parameter or form field: a plain HTML form on another site can set those, but
    not a header without a CORS preflight. No X-HTTP-Method or X-Method-Override either.
    """

    ALLOWED = frozenset({"PUT", "PATCH", "DELETE"})

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST":
            headers = dict(scope["headers"])
            wanted = headers.get(b"x-http-method-override", b"").decode("latin-1")
            if wanted.strip().upper() in self.ALLOWED:
                scope = {**scope, "method": wanted.strip().upper()}
        await self.app(scope, receive, send)


app = FastAPI()
app.add_middleware(MethodOverride)


@app.get("/api/items")
def items():
    return {"items": [1, 2, 3]}
