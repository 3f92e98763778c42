"""Function-level authorization in Flask: admin routes live in one blueprint whose
before_request demands the admin role, so a route added there later is protected too
(pip install flask flask-httpauth bcrypt)."""

import bcrypt
from flask import Blueprint, Flask, jsonify
from flask_httpauth import HTTPBasicAuth

app = Flask(__name__)


# Flask-HTTPAuth parses the Basic header itself: a malformed or non-ASCII one is no
# credentials (a 401), where Werkzeug's own request.authorization raises (a 500)
auth = HTTPBasicAuth(realm="api")

# user name -> bcrypt hash and role: your user store (made here so the example runs)
USERS = {name: {"hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt()), "role": role}
         for name, password, role in [("alice", "alice-correct-horse", "user"),
                                      ("carol", "correct-horse-battery", "admin")]}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes
        return None
    user = USERS.get(username)
    stored = user["hash"] if user else DUMMY_HASH  # the same work for unknown users
    if bcrypt.checkpw(secret, stored) and user:
        return username
    return None


@auth.get_user_roles
def roles_of(username):
    return USERS[username]["role"]  # read from the store, never from the request


@auth.error_handler
def refuse(status):
    # 401: who are you? (Flask-HTTPAuth adds the challenge) 403: you may not
    return jsonify(error="invalid credentials" if status == 401 else "forbidden"), status


@app.get("/api/data")
@auth.login_required
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])


admin = Blueprint("admin", __name__, url_prefix="/api/admin")


@admin.before_request
@auth.login_required(role="admin")
def admins_only():
    """Runs before every route of this blueprint, whatever its method: 401 without valid
    credentials, 403 without the admin role, and the route only when it returns None."""


@admin.get("/users")
def list_users():
    return jsonify(users=[{"username": name, "role": user["role"]}
                          for name, user in USERS.items()])


@admin.post("/reindex")
def reindex():
    return jsonify(status="reindexed")


app.register_blueprint(admin)  # after its routes: Flask refuses routes added later
