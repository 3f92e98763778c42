"""Only https:// servers in the spec, and the API served over HTTPS only, with APIFlask
(pip install apiflask).

Clients and SDKs generated from the spec call the servers it lists: an http:// entry sends
their credentials in cleartext. Best done at the proxy too (nginx: `return 301
https://$host$request_uri;` and an HSTS header); this is the same in the app.
"""

import hashlib

from apiflask import APIFlask, APIKeyHeaderAuth
from flask import redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

app = APIFlask(__name__, title="Data API", version="1.0.0")
# the servers the spec lists: https:// only. Without SERVERS, APIFlask lists the URL the spec
# was fetched from, http:// included.
app.config["SERVERS"] = [{"url": "https://api.example.com", "description": "production"}]
app.config["HTTPS_PORT"] = 443  # the port clients reach HTTPS on: set it when it is not 443
# Behind one reverse proxy that sets X-Forwarded-Proto and -For, trust that proxy (and only
# it), or every request looks like http:// and is redirected forever:
BEHIND_ONE_PROXY = False
if BEHIND_ONE_PROXY:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

auth = APIKeyHeaderAuth(param_name="X-API-Key")
# sha256 of each API key -> its owner, from your key store. This one is "carol-example-api-key".
API_KEYS = {hashlib.sha256(b"carol-example-api-key").hexdigest(): "carol"}


@auth.verify_token
def verify_key(key):
    if not key:
        return None
    return API_KEYS.get(hashlib.sha256(key.encode()).hexdigest())


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


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/api/data")
@app.auth_required(auth)
def data():
    return {"owner": auth.current_user, "items": [1, 2, 3]}
