"""The spec generated from the code with FastAPI, so the two cannot drift apart
(pip install fastapi uvicorn).

FastAPI builds /openapi.json from the routes, their parameters and response models: return
data through `response_model`, declare every other status a route returns in `responses`,
and never replace app.openapi() with a hand-written document. Test the running API against
the spec in CI (apivigil, schemathesis).
"""

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="Items API", version="1.0.0")

# item id -> item, from your data store (a dict here so the example runs)
ITEMS = {7: {"id": 7, "name": "seven"}}


class ItemOut(BaseModel):  # what a response carries, and what the spec says it carries
    id: int
    name: str


class Problem(BaseModel):
    detail: str


@app.get("/items", response_model=list[ItemOut])
def list_items():
    return list(ITEMS.values())


@app.get("/items/{item_id}", response_model=ItemOut, responses={404: {"model": Problem}})
def get_item(item_id: int):
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="no such item")
    return ITEMS[item_id]
