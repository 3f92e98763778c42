"""JSON bodies only: any other Content-Type is refused with 415
(pip install fastapi uvicorn)."""

import threading
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

app = FastAPI()
items = []  # your database
lock = threading.Lock()


def json_body(request: Request):
    """415 unless the body is declared JSON. FastAPI parses a body without a Content-Type as
    JSON and answers 422 for form or XML bodies; this says what is wrong, before parsing."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(status_code=415, detail="Content-Type must be application/json")


class NewItem(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields: 422, not silently stored

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=100)]


@app.post("/api/items", status_code=201, dependencies=[Depends(json_body)])
def create_item(item: NewItem):  # a pydantic model: never request.form() as a fallback
    with lock:
        items.append({"id": len(items) + 1, "name": item.name})
        return items[-1]
