"""Webhooks whose deliveries receivers can verify, in Flask (pip install flask httpx).

Each registration gets its own signing secret, shown once. Every delivery carries a timestamp
and an HMAC-SHA256 signature of "<timestamp>.<body>" made with that secret, and the API's
OpenAPI description documents both headers as a callback of the registration, so receivers
know to check them: recompute the signature, compare it with hmac.compare_digest, and refuse
timestamps older than 5 minutes (replays). Deliveries go to URLs your users chose: they are
sent only over https, to public addresses, without following redirects, like any URL your
server fetches.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from urllib.parse import urlsplit

import httpx
from flask import Flask, jsonify, request

app = Flask(__name__)
# webhook id -> registration: keep them in your database (the secret encrypted at rest)
HOOKS = {}

SIGNATURE = ("sha256=<hex HMAC-SHA256 of '<X-Webhook-Timestamp>.<body>' keyed with the "
             "registration's signing_secret>: check it, and refuse old timestamps")
# The API's OpenAPI description (yours is larger): the registration, and what receivers get.
OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "webhooks", "version": "1"},
    "paths": {"/api/webhooks": {"post": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["callback_url"],
            "properties": {"callback_url": {"type": "string", "format": "uri"},
                           "events": {"type": "array", "items": {"type": "string"}}}}}}},
        "responses": {"201": {"description": "registered; signing_secret is shown only now"}},
        "callbacks": {"event": {"{$request.body#/callback_url}": {"post": {
            "parameters": [
                {"name": "X-Webhook-Timestamp", "in": "header", "required": True,
                 "description": "Unix time of the delivery", "schema": {"type": "string"}},
                {"name": "X-Webhook-Signature", "in": "header", "required": True,
                 "description": SIGNATURE, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "received"}}}}}},
    }}},
}


@app.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


def https_url(value):
    """Whether `value` is an absolute https URL (its port, if any, a number)."""
    if not isinstance(value, str) or len(value) > 2048:
        return False
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError on a port that is no number
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and port != 0


@app.post("/api/webhooks")
def register():
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    url, events = payload.get("callback_url"), payload.get("events", [])
    if not https_url(url):
        return jsonify(error="callback_url must be an https URL"), 422
    if not isinstance(events, list) or len(events) > 20 \
            or not all(isinstance(e, str) for e in events):
        return jsonify(error="events must be a list of event names"), 422
    hook_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    HOOKS[hook_id] = {"url": url, "events": events, "secret": secret}
    # the secret is shown this once; the receiver stores it to verify deliveries
    return jsonify(id=hook_id, callback_url=url, signing_secret=secret), 201


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
