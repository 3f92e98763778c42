"""HTTPS only, with HSTS, in Flask (pip install flask).

Best done at the proxy (nginx: `return 301 https://$host$request_uri;` and
`add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;`);
this is the same in the app.
"""

from flask import Flask, jsonify, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

app = Flask(__name__)
app.config["HTTPS_PORT"] = 443  # the port clients reach HTTPS on: set it when it is not 443
# Behind exactly one reverse proxy that sets X-Forwarded-For and -Proto, trust that one hop
# and no more: otherwise every request looks like http:// and is redirected forever.
BEHIND_ONE_PROXY = False
if BEHIND_ONE_PROXY:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)


@app.before_request
def require_https():
    # runs before any view and any credential check: http:// never gets as far as a 401
    if not request.is_secure:
        host = request.host
        if not host.endswith("]"):  # keep an IPv6 literal, drop an http:// port
            host = host.rsplit(":", 1)[0]
        port = app.config["HTTPS_PORT"]
        netloc = host if port == 443 else f"{host}:{port}"
        # 308: permanent, and the method and body are kept
        return redirect(f"https://{netloc}{request.full_path.rstrip('?')}", code=308)
    return None


@app.after_request
def add_hsts(response):
    if request.is_secure:  # browsers ignore HSTS sent over http://
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


@app.get("/api/data")
def data():
    return jsonify(items=[1, 2, 3])
