"""A chat-completion endpoint that keeps its model on a short leash, in Flask
(pip install flask flask-httpauth flask-limiter).

Each defense answers one kind of finding:
- an API key on the model route and a per-user rate limit (exposure, consumption);
- the server's own max_tokens, whatever the client asks (consumption);
- only user messages from clients, a system prompt with no secrets in it, text that tries to
  change the instructions refused, and answers that repeat them withheld (prompt injection);
- tools decided by code: the model gets only read-only tools scoped to the caller, your code
  runs them, and actions with side effects are not tools (excessive agency);
- answers filtered: personal data and keys redacted, markup escaped; no model name, usage
  or cost in answers (output handling, exposure).
Filters are a second line: the first is what the model can see and do. `stand_in_model`
only makes the example run: plug in your model client there.
"""

import hashlib
import html
import json
import re

from flask import Flask, jsonify, request
from flask_httpauth import HTTPTokenAuth
from flask_limiter import Limiter

app = Flask(__name__)
auth = HTTPTokenAuth(scheme="Bearer")
# memory:// counts in this process only: with several workers or hosts use a shared backend,
# e.g. storage_uri="redis://localhost:6379" (pip install "flask-limiter[redis]").
limiter = Limiter(lambda: auth.current_user(), app=app, storage_uri="memory://",
                  headers_enabled=True)

# SHA-256 of each API key -> its user, from your user store. Issue keys with
# secrets.token_urlsafe(32) and store only the digest. Made here so the example runs:
API_KEYS = {hashlib.sha256(b"demo-key-for-carol-change-me").hexdigest(): "carol"}
MAX_TOKENS = 512  # the most the model writes per answer, whatever the client asks
MAX_MESSAGES, MAX_CHARS = 20, 4000

# No secrets, codes or other users' data here: assume whatever the model sees can come out.
SYSTEM_PROMPT = ("You are the support assistant of Acme Shop. You help customers with their "
                 "own orders. Answer briefly.")
INSTRUCTION_PARTS = [part for part in re.split(r"(?<=\.) ", SYSTEM_PROMPT) if len(part) > 20]
# Known ways of talking a model out of its instructions (a screen, not a guarantee)
INJECTION = re.compile(
    r"ignore (all |any )?(of )?(the |your |my )?(previous|above|prior|earlier)|disregard |"
    r"system prompt|(your|the) (instructions|rules)|(instructions|rules) (you|of ai)|"
    r"you are (now )?(dan|an ai)|act as|pretend|developer mode|jailbreak|###|\"role\"\s*:|"
    r"base64|rot13|decode (this|it|the)", re.IGNORECASE)
REDACT = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+|\+?\d[\d ()./-]{7,}\d|\b[sprk]k_(live|test)_\w+|"
    r"\bsk-[\w-]{16,}|\bAKIA[0-9A-Z]{16}\b|\beyJ[\w-]+\.[\w-]+\.[\w-]+|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)")
REFUSAL = "Sorry, I can't help with that."

# Your orders, from your database (made here so the example runs).
ORDERS = {"1001": {"owner": "carol", "status": "shipped"}}


def lookup_order(user, arguments):
    """Read-only, and only the caller's own orders: the model can do no more than the user."""
    order = ORDERS.get(str(arguments.get("order_id", "")))
    if order is None or order["owner"] != user:
        return {"error": "no such order"}
    return {"order_id": arguments["order_id"], "status": order["status"]}


# The only tools the model may call. Refunds, e-mails, deletions are not tools: they go
# through their own endpoints, which ask the user to confirm.
TOOLS = {"lookup_order": lookup_order}


def stand_in_model(messages, max_tokens, tools):
    """Replace with your model client (OpenAI, Anthropic, a local model...): it gets the
    conversation, the most tokens to write and the names of the tools it may call, and
    returns {"content": text, "tool_calls": [{"name": ..., "arguments": {...}}]}."""
    return {"content": "I can help with your Acme Shop orders.", "tool_calls": []}


app.config["MODEL"] = stand_in_model


@auth.verify_token
def verify_token(token):
    return API_KEYS.get(hashlib.sha256(token.encode()).hexdigest())


@auth.error_handler
def refuse(status):
    return jsonify(error="a valid API key is required"), status


def complete(user, messages):
    """The model's answer to the user's messages, its tool calls run by this code."""
    conversation = [{"role": "system", "content": SYSTEM_PROMPT}, *messages]
    for _ in range(3):  # a few tool rounds at most
        reply = app.config["MODEL"](conversation, MAX_TOKENS, sorted(TOOLS))
        calls = [c for c in reply.get("tool_calls") or [] if c.get("name") in TOOLS]
        if not calls:
            return str(reply.get("content") or "")
        for call in calls:
            arguments = call.get("arguments") if isinstance(call.get("arguments"), dict) else {}
            result = TOOLS[call["name"]](user, arguments)
            conversation.append({"role": "tool", "name": call["name"],
                                 "content": json.dumps(result)})
    return REFUSAL


def filtered(reply):
    """What may leave the API: no instructions, no personal data or keys, no markup."""
    if any(part.lower() in reply.lower() for part in INSTRUCTION_PARTS):
        return REFUSAL
    return html.escape(REDACT.sub("[redacted]", reply), quote=False)


@app.post("/v1/chat/completions")
@auth.login_required
@limiter.limit("25 per minute")  # per user; add a daily token budget per user for the bill
def completions():
    payload = request.get_json(silent=True)
    messages = payload.get("messages") if isinstance(payload, dict) else None
    # only the user speaks from outside: system and assistant turns stay on the server
    if not isinstance(messages, list) or not 0 < len(messages) <= MAX_MESSAGES or not all(
            isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str)
            and len(m["content"]) <= MAX_CHARS for m in messages):
        return jsonify(error="send 1 to 20 messages with role user and text content"), 400
    messages = [{"role": "user", "content": m["content"]} for m in messages]
    if any(INJECTION.search(m["content"]) for m in messages):
        reply = REFUSAL
    else:
        reply = filtered(complete(auth.current_user(), messages))
    return jsonify(object="chat.completion", model="assistant",
                   choices=[{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": reply}}])
