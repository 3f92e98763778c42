"""A small Flask API with HTTP Basic done right: HTTPS only with HSTS, hashed credentials
with constant work, throttled failures, generic errors, no credentials in logs
(pip install flask flask-httpauth flask-limiter bcrypt).

Serve it with a production WSGI server behind TLS (gunicorn --certfile/--keyfile, or a
reverse proxy); never with debug on.
"""

import logging

import bcrypt
from flask import Flask, jsonify, redirect, request
from flask_httpauth import HTTPBasicAuth
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

app = Flask(__name__)
app.config["HTTPS_PORT"] = 443  # the port clients reach HTTPS on: set it when it is not 443
# Behind exactly one reverse proxy that sets X-Forwarded-Proto and -For, trust that one hop:
BEHIND_ONE_PROXY = False
if BEHIND_ONE_PROXY:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

# memory:// counts in this process only: with several workers or hosts use a shared backend,
# e.g. storage_uri="redis://localhost:6379" (pip install "flask-limiter[redis]").
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=True)
log = logging.getLogger("api")  # log user names and outcomes, never an Authorization header


class BasicAuth(HTTPBasicAuth):
    def get_auth(self):
        try:
            return super().get_auth()
        except ValueError:  # Werkzeug 3.1 raises on a non-ASCII Basic token: no credentials
            return None


auth = BasicAuth(realm="api")

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        return None
    stored = USERS.get(username, DUMMY_HASH)  # the same bcrypt work for unknown users
    if bcrypt.checkpw(secret, stored) and username in USERS:
        return username  # the user name and the password, checked together
    return None


@auth.error_handler
def refuse(status):
    # one answer for every failure (unknown user, wrong password, malformed header);
    # Flask-HTTPAuth adds the WWW-Authenticate challenge
    return jsonify(error="invalid credentials"), status


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
def security_headers(response):
    if request.is_secure:  # browsers ignore HSTS sent over http://
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@app.errorhandler(HTTPException)
def http_error(error):
    # JSON errors without framework pages (404, 405, 429...)
    return jsonify(error=error.name.lower()), error.code


@app.errorhandler(Exception)
def unexpected_error(error):
    log.exception("unhandled error")  # the details go to the log, never to the client
    return jsonify(error="internal error"), 500


@app.get("/api/data")
# 10 failed logins per 15 minutes per client address: only 401 answers count
@limiter.limit("10 per 15 minutes", deduct_when=lambda response: response.status_code == 401)
@auth.login_required
def data():
    log.info("data read by %s", auth.current_user())
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
