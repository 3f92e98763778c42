"""Production errors in Flask: no debugger, one generic answer, the details in the server log
only (pip install flask flask-httpauth bcrypt gunicorn).

Serve it with a production WSGI server, never the development one:
    gunicorn --workers 4 app:app
`flask run --debug`, `app.run(debug=True)` or FLASK_DEBUG=1 wrap the app in the Werkzeug
debugger whatever app.config says: its console runs Python for whoever reaches it.
"""

import bcrypt
from flask import Flask, jsonify
from flask_httpauth import HTTPBasicAuth
from werkzeug.exceptions import HTTPException

app = Flask(__name__)
app.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False)

auth = HTTPBasicAuth(realm="api")

USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def stored_hash(username):
    """The user's bcrypt hash, None for no such user: your user store (a dict here so the
    example runs). When it fails (database down...), the error handler below answers."""
    return USERS.get(username)


@auth.verify_password
def verify_password(username, password):
    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises past 72 bytes
        return None
    stored = stored_hash(username)
    if bcrypt.checkpw(secret, stored or DUMMY_HASH) and stored is not None:
        return username
    return None


@auth.error_handler
def refuse(status):
    return jsonify(error="invalid credentials"), status  # never which part was wrong


@app.errorhandler(Exception)
def internal_error(error):
    if isinstance(error, HTTPException):  # 404, 405, redirects...: Werkzeug's short page
        return error
    app.logger.exception("unhandled error")  # the traceback goes to the server's log
    return jsonify(error="internal error"), 500  # and nothing of it to the client


@app.get("/api/data")
@auth.login_required
def data():
    return jsonify(user=auth.current_user(), items=[1, 2, 3])
