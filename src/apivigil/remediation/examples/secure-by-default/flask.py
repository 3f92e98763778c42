"""Authentication by default with APIFlask: every route of the API blueprint requires a key,
the ones added next year too; public routes are few and sit outside it
(pip install apiflask).

APIFlask writes the requirement into the spec for every operation of the blueprint, so the
spec shows which operations are public, and documents their 401 (AUTO_AUTH_ERROR_RESPONSE);
declare a 403 too where a route checks permissions.
"""

import hashlib

from apiflask import APIBlueprint, APIFlask, APIKeyHeaderAuth

app = APIFlask(__name__, title="Reports API", version="1.0.0")
auth = APIKeyHeaderAuth(param_name="X-API-Key")  # any APIFlask auth works the same way
api = APIBlueprint("api", __name__, url_prefix="/api")

# sha256 of each API key -> its owner, from your key store: keep only hashes of the keys, as
# for passwords (long random keys need no slow hash). This one is "carol-example-api-key".
API_KEYS = {hashlib.sha256(b"carol-example-api-key").hexdigest(): "carol"}


@auth.verify_token
def verify_key(key):
    if not key:
        return None
    return API_KEYS.get(hashlib.sha256(key.encode()).hexdigest())


@api.before_request
@api.auth_required(auth)
def require_key():
    """Runs before every route of the blueprint: deny unless authenticated."""


@api.get("/data")
def data():
    return {"owner": auth.current_user, "items": [1, 2, 3]}


@api.get("/reports")
def reports():  # no decorator to forget
    return {"reports": []}


app.register_blueprint(api)


@app.get("/health")  # public on purpose: on the app, outside the blueprint
def health():
    return {"status": "ok"}
