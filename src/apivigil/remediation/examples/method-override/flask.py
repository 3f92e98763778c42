"""Method override only where it is safe: a POST with a header may become PUT, PATCH or
DELETE, nothing else (pip install flask). Safest of all is no override: delete
MethodOverride if your clients can send PUT and DELETE themselves."""

from flask import Flask, jsonify

app = Flask(__name__)


class MethodOverride:
    """WSGI middleware: X-HTTP-Method-Override turns a POST into PUT, PATCH or DELETE.

    A GET (a link, an <img> tag, a crawler) stays a GET. Only the header counts, never a
    ?_method= parameter or form field: a plain HTML form on another site can set those, but
    not a header without a CORS preflight. No X-HTTP-Method or X-Method-Override either.
    """

    ALLOWED = frozenset({"PUT", "PATCH", "DELETE"})

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            wanted = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").strip().upper()
            if wanted in self.ALLOWED:
                environ["REQUEST_METHOD"] = wanted
        return self.wsgi_app(environ, start_response)


app.wsgi_app = MethodOverride(app.wsgi_app)  # around your app, as the outermost WSGI layer


@app.get("/api/items")
def items():
    return jsonify(items=[1, 2, 3])
