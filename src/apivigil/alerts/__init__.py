"""Alerts when a scan finishes: rules (grade drop, new finding at or above a severity) and
webhooks signed with HMAC-SHA256, delivered with retries and logged.

- `rules`: decides, from the previous and the new report of a target, whether to alert and why;
- `signing`: the `X-Apivigil-Signature` header (timestamp + HMAC) and its verification;
- `webhooks`: the payload (apivigil JSON or Slack-compatible), delivery with backoff, the log.

May import core and store.
"""
