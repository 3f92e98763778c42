"""Strict input schemas with APIFlask: every string bounded, request bodies that refuse
unknown fields; enforced on each request (422) and written into the spec
(pip install apiflask).
"""

from apiflask import APIFlask, Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length, OneOf, Range
from marshmallow import RAISE

app = APIFlask(__name__, title="Items API", version="1.0.0")

# your data store (a list here so the example runs)
ITEMS = [{"id": 1, "name": "kettle", "colour": "red"}]


class SearchQuery(Schema):
    q = String(required=True, validate=Length(min=1, max=100))
    page = Integer(load_default=1, validate=Range(min=1, max=1000))


class ItemIn(Schema):
    class Meta:
        # a field the schema does not declare ("role", "is_admin"...) is refused with a 422
        # and the spec says additionalProperties: false. RAISE is marshmallow 4's default:
        # spelt out so that a base schema set to INCLUDE or EXCLUDE cannot change it
        unknown = RAISE

    name = String(required=True, validate=Length(min=1, max=40))
    colour = String(required=True, validate=OneOf(["red", "green", "blue"]))


class ItemOut(Schema):
    id = Integer(required=True)
    name = String(required=True)
    colour = String(required=True)


@app.get("/items")
@app.input(SearchQuery, location="query")
@app.output(ItemOut(many=True))
def search(query_data):
    found = [item for item in ITEMS if query_data["q"] in item["name"]]
    return found[(query_data["page"] - 1) * 20:query_data["page"] * 20]


@app.post("/items")
@app.input(ItemIn, location="json")
@app.output(ItemOut, status_code=201)
def create(json_data):
    item = {"id": len(ITEMS) + 1, **json_data}  # json_data holds the declared fields only
    ITEMS.append(item)
    return item
