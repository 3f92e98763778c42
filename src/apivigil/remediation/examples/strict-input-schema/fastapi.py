"""Strict input models with FastAPI and pydantic: every string bounded, request bodies that
refuse unknown fields; enforced on each request (422) and written into the spec
(pip install fastapi uvicorn).
"""

from typing import Annotated, Literal

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(title="Items API", version="1.0.0")

# your data store (a list here so the example runs)
ITEMS = [{"id": 1, "name": "kettle", "colour": "red"}]


class ItemIn(BaseModel):
    # a field the model does not declare ("role", "is_admin"...) is refused with a 422 and
    # the spec says additionalProperties: false (pydantic's default silently drops it)
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=40)
    colour: Literal["red", "green", "blue"]


class ItemOut(BaseModel):
    id: int
    name: str
    colour: str


@app.get("/items", response_model=list[ItemOut])
def search(q: Annotated[str, Query(min_length=1, max_length=100)],
           page: Annotated[int, Query(ge=1, le=1000)] = 1):
    found = [item for item in ITEMS if q in item["name"]]
    return found[(page - 1) * 20:page * 20]


@app.post("/items", response_model=ItemOut, status_code=201)
def create(item: ItemIn):
    new = {"id": len(ITEMS) + 1, **item.model_dump()}  # the declared fields only
    ITEMS.append(new)
    return new
