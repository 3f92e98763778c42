"""The spec and docs of an internal API kept from anonymous clients, with APIFlask
(pip install apiflask).

Publishing the spec of a public API is fine; for an internal one it hands anyone the map of
every operation. Here /openapi.json requires an API key and the docs page exists in
development only. Your own tools fetch the spec with a key:
curl -H "X-API-Key: $KEY" https://api.example.com/openapi.json
"""

import hashlib
import os

from apiflask import APIFlask, APIKeyHeaderAuth

# where the app runs, from your deployment: anything but "development" counts as production
APP_ENV = os.environ.get("APP_ENV", "production")
app = APIFlask(__name__, title="Internal API", version="1.0.0",
               docs_path="/docs" if APP_ENV == "development" else None)
auth = APIKeyHeaderAuth(param_name="X-API-Key")
app.config["SPEC_DECORATORS"] = [app.auth_required(auth)]  # the spec needs a key too

# sha256 of each API key -> its owner, from your key store. This one is "carol-example-api-key".
API_KEYS = {hashlib.sha256(b"carol-example-api-key").hexdigest(): "carol"}


@auth.verify_token
def verify_key(key):
    if not key:
        return None
    return API_KEYS.get(hashlib.sha256(key.encode()).hexdigest())


@app.get("/api/data")
@app.auth_required(auth)
def data():
    return {"owner": auth.current_user, "items": [1, 2, 3]}
