"""Only strings where strings are expected: request data never becomes a MongoDB query
document (pip install flask pymongo)."""

# untested: it needs a running MongoDB server, which the test suite does not have

import os

from flask import Flask, jsonify, request
from pymongo import MongoClient

app = Flask(__name__)

# your MongoDB: the URL from the environment, a short timeout so an outage is a quick 500
client = MongoClient(os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27017"),
                     serverSelectionTimeoutMS=2000)
users = client.shop.users


@app.get("/api/users")
def find_users():
    name = request.args.get("name", "")  # query values are always strings in Flask
    # $eq: the value is compared, never read as an operator; no $where, no $regex on input
    found = users.find({"name": {"$eq": name}}, {"_id": False, "name": True}).limit(50)
    return jsonify(users=list(found))


@app.post("/api/users/search")
def search_users():
    data = request.get_json(silent=True)
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, str):  # {"name": {"$ne": ""}} is a dict: refused, not queried
        return jsonify(error='the body must be a JSON object with a "name" string'), 400
    found = users.find({"name": {"$eq": name}}, {"_id": False, "name": True}).limit(50)
    return jsonify(users=list(found))
