"""Configuration stays on the server: secrets from the environment, an info route that lists
what a client may know (pip install flask).

Delete every route that returns `dict(os.environ)`, `app.config` or a settings object
(`/env`, `/debug`, `/config`), then rotate every secret it has shown: the database password,
the session key, the tokens of other services.
"""

import os
import secrets

from flask import Flask, jsonify

app = Flask(__name__)
# secrets come from the environment (or a secrets manager) into the server's config only;
# SECRET_KEY must be set in production, or sessions do not survive a restart
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
app.config["DATABASE_URL"] = os.environ.get("DATABASE_URL", "sqlite:///app.db")
VERSION = "1.4.0"


@app.get("/api/info")
def info():
    # what a client needs, listed one by one: never os.environ or app.config as a whole
    return jsonify(name="inventory-api", version=VERSION)
