"""The spec generated from the code with APIFlask, so the two cannot drift apart
(pip install apiflask).

APIFlask builds /openapi.json from the routes, their input and output schemas and the errors
they declare: a route, a field or a status code cannot change without the spec changing too.
Test the running API against that spec in CI (apivigil, schemathesis).
"""

from apiflask import APIFlask, Schema, abort
from apiflask.fields import Integer, String

app = APIFlask(__name__, title="Items API", version="1.0.0")

# item id -> item, from your data store (a dict here so the example runs)
ITEMS = {7: {"id": 7, "name": "seven"}}


class ItemOut(Schema):  # what a response carries, and what the spec says it carries
    id = Integer(required=True)
    name = String(required=True)


@app.get("/items")
@app.output(ItemOut(many=True))
def list_items():
    return list(ITEMS.values())


@app.get("/items/<int:item_id>")
@app.output(ItemOut)
# a view with URL variables gets its 404 documented; declare any other status it returns:
# @app.doc(responses={409: "already exists"})
def get_item(item_id):
    if item_id not in ITEMS:
        abort(404, "no such item")
    return ITEMS[item_id]
