"""Responses serialised through a response model with FastAPI: only the fields it lists
leave the server, and the spec documents exactly those (pip install fastapi uvicorn).

A row or model object often holds more than a client may see (a password hash, internal
notes). `response_model` is the allow-list: a field not named in it is not sent, whatever
the route returns. Declaring the model only in `responses=` documents it without filtering
anything. Better still, leave secrets out of the data layer's default query.
"""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Users API", version="1.0.0")

# users as your data layer returns them, secrets included (a list so the example runs)
USERS = [
    {"id": 1, "name": "carol", "email": "carol@example.com",
     "password_hash": "$2b$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
]


class UserOut(BaseModel):  # add a field here, or it is not sent (and not documented)
    id: int
    name: str
    email: str


@app.get("/users", response_model=list[UserOut])
def list_users():
    return USERS  # password_hash is dropped by UserOut


@app.get("/users/newest", response_model=UserOut)
def newest_user():
    return USERS[-1]
