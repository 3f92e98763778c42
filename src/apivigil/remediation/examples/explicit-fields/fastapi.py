"""Responses that carry the fields a client needs and nothing else, with a response model
(pip install fastapi uvicorn bcrypt).

The route answers with a model that declares each field it sends (and FastAPI drops any
other field of what a route returns through its `response_model`), so a column added to the
table later (a hash, a token, a card number) stays out of every response until someone adds
it to the model on purpose. Never return the row or the ORM object as it is.
"""

import secrets
from typing import Annotated, Any

import bcrypt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel

app = FastAPI()
security = HTTPBasic(realm="api")  # refuses malformed headers with a 401 itself

# user name -> the account as your database returns it, secrets and all (made here so the
# example runs; an ORM object works too, with model_config = ConfigDict(from_attributes=True))
ACCOUNTS = {
    "carol": {
        "id": 1, "username": "carol", "name": "Carol",
        "password_hash": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt()),
        "api_token": secrets.token_urlsafe(32), "ssn": "078-05-1120",
        "card_number": "5555 5555 5555 4444",
    },
}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


class AccountOut(BaseModel):
    # what the client shows, field by field: never password_hash, api_token or ssn
    id: int
    username: str
    name: str
    card_last_four: str | None  # enough to recognise a card; the full number is never sent


def current_account(
        credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> dict[str, Any]:
    secret = credentials.password.encode()
    if len(secret) <= 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        account = ACCOUNTS.get(credentials.username)
        stored = account["password_hash"] if account else DUMMY_HASH  # same work for all
        if bcrypt.checkpw(secret, stored) and account:
            return account
    raise HTTPException(status_code=401, detail="invalid credentials",
                        headers={"WWW-Authenticate": 'Basic realm="api"'})


@app.get("/api/me", response_model=AccountOut)
def me(account: Annotated[dict[str, Any], Depends(current_account)]):
    card = account.get("card_number")
    return AccountOut(id=account["id"], username=account["username"], name=account["name"],
                      card_last_four=card[-4:] if card else None)
