"""Responses that carry the fields a client needs and nothing else, with a marshmallow schema
(pip install flask flask-httpauth bcrypt marshmallow).

A schema is an allow-list: a column added to the table later (a hash, a token, a card
number) stays out of every response until someone adds it to the schema on purpose. Never
return the row, the model, `user.__dict__` or `to_dict()` as a whole.
"""

import secrets

import bcrypt
from flask import Flask, jsonify
from flask_httpauth import HTTPBasicAuth
from marshmallow import Schema, fields

app = Flask(__name__)


# Flask-HTTPAuth parses the Basic header itself: a malformed or non-ASCII one is no
# credentials (a 401), where Werkzeug's own request.authorization raises (a 500)
auth = HTTPBasicAuth(realm="api")

# user name -> the account as your database returns it, secrets and all (made here so the
# example runs; an ORM object works the same way, the schema reads its attributes)
ACCOUNTS = {
    "carol": {
        "id": 1, "username": "carol", "name": "Carol",
        "password_hash": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt()),
        "api_token": secrets.token_urlsafe(32), "ssn": "078-05-1120",
        "card_number": "5555 5555 5555 4444",
    },
}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


class AccountSchema(Schema):
    # what the client shows, field by field: never password_hash, api_token or ssn
    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    # the last four digits are enough to recognise a card; the full number is never sent
    card_last_four = fields.Function(
        lambda account: account["card_number"][-4:] if account.get("card_number") else None)


account_schema = AccountSchema()


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse (and at sign-up too)
        return None
    account = ACCOUNTS.get(username)
    stored = account["password_hash"] if account else DUMMY_HASH  # same work for unknown users
    if bcrypt.checkpw(secret, stored) and account:
        return account
    return None


@auth.error_handler
def refuse(status):
    return jsonify(error="invalid credentials"), status


@app.get("/api/me")
@auth.login_required
def me():
    return jsonify(account_schema.dump(auth.current_user()))
