"""CORS for your own front ends only, with Flask-CORS (pip install flask flask-cors).

Only the exact origins listed may read responses from a browser, and only they are told
credentials are allowed. Never echo the request's Origin back, never allow `null` (sandboxed
iframes and local files send it), and never combine credentials with "*": Flask-CORS with
supports_credentials=True and its default origins="*" answers any Origin with that same
Origin, credentials allowed.
"""

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
# the origins of your own web front ends, scheme and port included (no patterns, no "*")
FRONT_ENDS = ["https://app.example.com"]
CORS(app, origins=FRONT_ENDS, supports_credentials=True)


@app.get("/api/data")
def data():  # authenticate your routes as usual: CORS only decides which pages may read them
    return jsonify(items=[1, 2, 3])
