"""Webhook signatures: HMAC-SHA256 over the timestamp, the delivery id and the exact body.

    X-Apivigil-Signature: t=1764480000,id=9f1c0d...,v1=5f2b...e1

`v1` is the hex HMAC-SHA256, keyed with the webhook's secret, of `"{t}.{id}.{body}"` (the raw
body bytes). A receiver recomputes it, compares in constant time, refuses a timestamp outside
its replay window (5 minutes by default) and, to refuse a replay inside the window too,
remembers the ids it has accepted for that long. The id is signed, so a replay cannot pass as a
new delivery; a retry of one delivery keeps its id (and gets a fresh timestamp). The README
shows the verification in a few lines of plain Python for receivers.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Apivigil-Signature"
REPLAY_WINDOW_S = 300


class SignatureError(Exception):
    """The signature is missing, malformed, wrong, outside the window, or a replay."""


def sign(secret: str, body: bytes, delivery_id: str, timestamp: int | None = None) -> str:
    """The signature header's value for this body and delivery, now (or at `timestamp`)."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},id={delivery_id},v1={_digest(secret, moment, delivery_id, body)}"


def _digest(secret: str, moment: int, delivery_id: str, body: bytes) -> str:
    message = f"{moment}.{delivery_id}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verified:
    timestamp: int
    delivery_id: str


def verify(secret: str, header: str | None, body: bytes, *, now: float | None = None,
           window: int = REPLAY_WINDOW_S, seen: set[str] | None = None) -> Verified:
    """Check a signature header (and, given the `seen` ids, refuse a replay); raises
    `SignatureError`. Accepted ids are added to `seen`."""
    if not header:
        raise SignatureError("no signature header")
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        moment, delivery_id, given = int(fields["t"]), fields["id"], fields["v1"]
    except (KeyError, ValueError):
        raise SignatureError("malformed signature header") from None
    if not hmac.compare_digest(_digest(secret, moment, delivery_id, body), given):
        raise SignatureError("signature does not match")
    current = time.time() if now is None else now
    if abs(current - moment) > window:
        raise SignatureError(f"timestamp outside the {window} s replay window")
    if seen is not None:
        if delivery_id in seen:
            raise SignatureError(f"delivery {delivery_id} was already received (replay)")
        seen.add(delivery_id)
    return Verified(moment, delivery_id)
