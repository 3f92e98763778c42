"""Only strings where strings are expected: request data never becomes a MongoDB query
document (pip install fastapi uvicorn pymongo)."""

# untested: it needs a running MongoDB server, which the test suite does not have

import os

from fastapi import FastAPI
from pydantic import BaseModel, StrictStr
from pymongo import MongoClient

app = FastAPI()

# your MongoDB: the URL from the environment, a short timeout so an outage is a quick 500
client = MongoClient(os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27017"),
                     serverSelectionTimeoutMS=2000)
users = client.shop.users


class Search(BaseModel):
    name: StrictStr  # {"name": {"$ne": ""}} is refused with a 422, never queried


@app.get("/api/users")
def find_users(name: str = ""):  # a query parameter declared str is always a string
    # $eq: the value is compared, never read as an operator; no $where, no $regex on input
    found = users.find({"name": {"$eq": name}}, {"_id": False, "name": True}).limit(50)
    return {"users": list(found)}


@app.post("/api/users/search")
def search_users(search: Search):  # never a bare dict or Any body passed to find()
    found = users.find({"name": {"$eq": search.name}}, {"_id": False, "name": True})
    return {"users": list(found.limit(50))}
