"""Consuming a partner's API in Flask: its answers are untrusted input
(pip install flask httpx pydantic).

Only the partner's origins, no redirects, a deadline for the whole call and a size cap; the
answer must be JSON, is validated against a model and only its known fields are used. Nothing
the partner sends is rendered as a template or passed on as markup.
"""

import time

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

app = FastAPI()
# The partner origins you consume, https only (scheme://host[:port], no trailing slash): adapt.
app.state.partner_origins = {"https://api.partner.example"}
MAX_BYTES = 1024 * 1024  # refuse larger answers
DEADLINE_S = 2.0  # for the whole call: a per-read timeout never ends a slow trickle


class Listing(BaseModel):
    """The fields you use from the partner's answer; any other field is dropped."""

    title: str = Field(max_length=200)
    price: float | None = Field(default=None, ge=0)


class PartnerError(Exception):
    """The partner's answer cannot be used."""


def fetch_json(url):
    """The partner's answer, read within the deadline and the size cap."""
    deadline = time.monotonic() + DEADLINE_S
    # trust_env=False: no proxy from the environment; timeout bounds each connect and read
    with httpx.Client(follow_redirects=False, timeout=DEADLINE_S, trust_env=False) as client, \
            client.stream("GET", url) as response:
        if response.status_code != 200:  # a redirect included: never followed
            raise PartnerError
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_BYTES or time.monotonic() > deadline:
                raise PartnerError
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if kind != "application/json":
            raise PartnerError
        return bytes(body)


@app.get("/api/preview")
def preview(url: str):  # a plain def: FastAPI runs it in a thread, the blocking call is fine
    if not any(url.startswith(origin + "/") for origin in app.state.partner_origins):
        return JSONResponse({"error": "this URL is not allowed"}, status_code=400)
    try:
        listing = Listing.model_validate_json(fetch_json(url))
    except (httpx.HTTPError, httpx.InvalidURL, PartnerError, ValidationError):
        return JSONResponse({"error": "the partner's answer could not be used"},
                            status_code=502)
    # Only the validated fields go on, as data (JSON): never as a template or raw HTML.
    return {"title": listing.title, "price": listing.price}
