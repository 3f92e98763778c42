"""Webhooks whose deliveries receivers can verify, in FastAPI
(pip install fastapi uvicorn httpx).

Each registration gets its own signing secret, shown once. Every delivery carries a timestamp
and an HMAC-SHA256 signature of "<timestamp>.<body>" made with that secret, and the OpenAPI
`callbacks` document both headers, so receivers know to check them: recompute the signature,
compare it with hmac.compare_digest, and refuse timestamps older than 5 minutes (replays).
Deliveries go to URLs your users chose: they are sent only over https, to public addresses,
without following redirects, like any URL your server fetches.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, FastAPI, Header, HTTPException
from pydantic import BaseModel, Field, HttpUrl

app = FastAPI()
# webhook id -> registration: keep them in your database (the secret encrypted at rest)
HOOKS = {}


class WebhookIn(BaseModel):
    callback_url: HttpUrl
    events: list[str] = Field(default_factory=list, max_length=20)


class Event(BaseModel):
    id: str
    type: str
    data: dict[str, Any]


# What receivers get, documented in the spec as a callback of the registration.
deliveries = APIRouter()


@deliveries.post("{$request.body#/callback_url}")
def event_delivery(
    event: Event,
    x_webhook_timestamp: Annotated[str, Header(description="Unix time of the delivery")],
    x_webhook_signature: Annotated[str, Header(
        description="sha256=<hex HMAC-SHA256 of '<X-Webhook-Timestamp>.<body>' keyed with the "
        "registration's signing_secret>: check it, and refuse old timestamps")],
):
    """An event, signed."""


@app.post("/api/webhooks", status_code=201, callbacks=deliveries.routes)
def register(hook: WebhookIn):
    if hook.callback_url.scheme != "https":
        raise HTTPException(status_code=422, detail="callback_url must be an https URL")
    hook_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    HOOKS[hook_id] = {"url": str(hook.callback_url), "events": hook.events, "secret": secret}
    # the secret is shown this once; the receiver stores it to verify deliveries
    return {"id": hook_id, "callback_url": str(hook.callback_url), "signing_secret": secret}


def signature_headers(secret, body, timestamp=None):
    """The headers that let a receiver verify `body` came from you, and when."""
    stamp = str(int(time.time() if timestamp is None else timestamp))
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": "sha256=" + mac.hexdigest()}


def public_address(host, port):
    """The address to connect to, when every address `host` resolves to is public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    for address in addresses:
        address = getattr(address, "ipv4_mapped", None) or address  # ::ffff:10.0.0.1 too
        if not address.is_global or address.is_multicast:
            return None
    return addresses[0]


def deliver(hook_id, event_type, data):
    """Send one event (call it when the event happens; better, from a job queue with
    retries). True when the receiver took it."""
    hook = HOOKS[hook_id]
    body = json.dumps({"id": secrets.token_hex(8), "type": event_type, "data": data}).encode()
    parts = urlsplit(hook["url"])
    port = 443 if parts.port is None else parts.port
    address = public_address(parts.hostname, port) if parts.scheme == "https" else None
    if address is None:  # an internal address: never deliver there
        return False
    headers = {"Host": parts.netloc.rpartition("@")[2], "Content-Type": "application/json",
               **signature_headers(hook["secret"], body)}
    try:
        # connect to the checked address, verify the certificate for the host name
        pinned = httpx.URL(hook["url"]).copy_with(host=str(address))
        with httpx.Client(follow_redirects=False, timeout=5.0, trust_env=False) as client:
            answer = client.post(pinned, content=body, headers=headers,
                                 extensions={"sni_hostname": parts.hostname})
    except (httpx.HTTPError, httpx.InvalidURL):
        return False
    return 200 <= answer.status_code < 300
