"""API keys in a header, never in the URL, with APIFlask (pip install apiflask).

A key in the query string (?api_key=...) is written to server and proxy logs, browser
history and Referer headers. APIKeyHeaderAuth reads it from X-API-Key only and documents
that in the spec (in: header).
"""

import hashlib

from apiflask import APIFlask, APIKeyHeaderAuth

app = APIFlask(__name__, title="Data API", version="1.0.0")
auth = APIKeyHeaderAuth(param_name="X-API-Key")

# sha256 of each API key -> its owner, from your key store: keep only hashes of the keys, as
# for passwords (long random keys need no slow hash). This one is "carol-example-api-key".
API_KEYS = {hashlib.sha256(b"carol-example-api-key").hexdigest(): "carol"}


@auth.verify_token
def verify_key(key):
    if not key:  # no X-API-Key header
        return None
    return API_KEYS.get(hashlib.sha256(key.encode()).hexdigest())


@app.get("/api/data")
@app.auth_required(auth)  # documents the 401 too
def data():
    return {"owner": auth.current_user, "items": [1, 2, 3]}
