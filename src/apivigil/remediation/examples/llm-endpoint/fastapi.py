"""A chat-completion endpoint that keeps its model on a short leash, in FastAPI
(pip install fastapi uvicorn limits).

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
import time
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import parse, storage, strategies
from pydantic import BaseModel, Field

app = FastAPI()
bearer = HTTPBearer(auto_error=False)
# MemoryStorage counts in this process only: with several workers or hosts use a shared
# backend, e.g. storage.storage_from_string("redis://localhost:6379").
limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
PER_USER = parse("25 per minute")  # add a daily token budget per user for the bill

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


app.state.model = stand_in_model


def current_user(key: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    user = API_KEYS.get(hashlib.sha256(key.credentials.encode()).hexdigest()) if key else None
    if user is None:
        raise HTTPException(status_code=401, detail="a valid API key is required",
                            headers={"WWW-Authenticate": "Bearer"})
    if not limiter.hit(PER_USER, user):
        reset = limiter.get_window_stats(PER_USER, user).reset_time
        raise HTTPException(status_code=429, detail="too many requests",
                            headers={"Retry-After": str(max(1, int(reset - time.time())))})
    return user


def complete(user, messages):
    """The model's answer to the user's messages, its tool calls run by this code."""
    conversation = [{"role": "system", "content": SYSTEM_PROMPT}, *messages]
    for _ in range(3):  # a few tool rounds at most
        reply = app.state.model(conversation, MAX_TOKENS, sorted(TOOLS))
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


class Message(BaseModel):
    role: str
    content: str = Field(max_length=MAX_CHARS)


class ChatRequest(BaseModel):
    messages: list[Message] = Field(min_length=1, max_length=MAX_MESSAGES)
    # anything else the client sends (max_tokens, model, tools...) is ignored


@app.post("/v1/chat/completions")
def completions(chat: ChatRequest, user: Annotated[str, Depends(current_user)]):
    # only the user speaks from outside: system and assistant turns stay on the server
    if any(m.role != "user" for m in chat.messages):
        raise HTTPException(status_code=400, detail="only messages with role user are taken")
    messages = [{"role": "user", "content": m.content} for m in chat.messages]
    if any(INJECTION.search(m["content"]) for m in messages):
        reply = REFUSAL
    else:
        reply = filtered(complete(user, messages))
    return {"object": "chat.completion", "model": "assistant",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": reply}}]}
