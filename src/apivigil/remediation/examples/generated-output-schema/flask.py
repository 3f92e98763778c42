"""Responses serialised through an output schema with APIFlask: only the fields it lists
leave the server, and the spec documents exactly those (pip install apiflask).

A row or model object often holds more than a client may see (a password hash, internal
notes). The schema is the allow-list: a field not named in it is not sent, whatever the
data layer returns. Better still, leave secrets out of the data layer's default query.
"""

from apiflask import APIFlask, Schema
from apiflask.fields import Email, Integer, String

app = APIFlask(__name__, title="Users API", version="1.0.0")

# users as your data layer returns them, secrets included (a list so the example runs)
USERS = [
    {"id": 1, "name": "carol", "email": "carol@example.com",
     "password_hash": "$2b$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
]


class UserOut(Schema):  # add a field here, or it is not sent (and not documented)
    id = Integer(required=True)
    name = String(required=True)
    email = Email(required=True)


@app.get("/users")
@app.output(UserOut(many=True))
def list_users():
    return USERS  # password_hash is dropped by UserOut


@app.get("/users/newest")
@app.output(UserOut)
def newest_user():
    return USERS[-1]
