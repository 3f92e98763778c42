"""CORS for your own front ends only, with Starlette's CORSMiddleware
(pip install fastapi uvicorn).

Only the exact origins listed may read responses from a browser, and only they are told
credentials are allowed. Never echo the request's Origin back, never allow `null` (sandboxed
iframes and local files send it), and never combine credentials with "*": with
allow_origins=["*"] and allow_credentials=True, CORSMiddleware answers any Origin with that
same Origin, credentials allowed.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
# the origins of your own web front ends, scheme and port included (no patterns, no "*")
FRONT_ENDS = ["https://app.example.com"]
app.add_middleware(CORSMiddleware, allow_origins=FRONT_ENDS, allow_credentials=True,
                   allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])


@app.get("/api/data")
def data():  # authenticate your routes as usual: CORS only decides which pages may read them
    return {"items": [1, 2, 3]}
