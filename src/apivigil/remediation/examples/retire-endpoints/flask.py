"""Debug, admin and retired endpoints kept out of production, with APIFlask
(pip install apiflask).

What production serves is what the spec documents: APIFlask documents every route it
registers, so an endpoint nobody reviewed cannot hide there (@app.doc(hide=True) hides it
from the spec, not from attackers). Run a production WSGI server, never debug=True.
"""

import os

from apiflask import APIBlueprint, APIFlask

app = APIFlask(__name__, title="Users API", version="2.0.0")
# where the app runs, from your deployment: anything but "development" counts as production
APP_ENV = os.environ.get("APP_ENV", "production")


@app.get("/v2/users")
def list_users():
    return [{"id": 1, "name": "carol"}]


# /v1/users was retired: its route is deleted, not left answering next to /v2. (To tell old
# clients where to go, answer 410 Gone with a pointer to /v2 for a while.)

# tools for developers only: registered in development, and never in production
dev_tools = APIBlueprint("dev_tools", __name__)


@dev_tools.get("/debug")
def debug():
    return {"environment": APP_ENV, "debug": app.debug}


@dev_tools.get("/admin")
def admin():
    return {"users": 1}


if APP_ENV == "development":
    app.register_blueprint(dev_tools)
