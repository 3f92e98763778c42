"""Finding LLM endpoints, talking to them, and reading their answers.

A POST operation is a candidate when its path is one only model APIs use (OpenAI
`/chat/completions`, `/completions`, `/v1/responses`, Anthropic `/v1/messages`, Ollama
`/api/generate` and `/api/chat`, `/chat`, `/llm`) or its JSON body takes a `prompt` or chat
`messages` with roles; a path such as `/invoices/generate` never is, because a prompt is POSTed
to every candidate. Without a spec, the target URL itself is a candidate when its path is one.
One benign prompt per candidate (shared by every LLM
check through the cache) confirms it: an LLM endpoint answers with a completion (`choices`,
`content[].text`, `completion`, `output`, `response`, `reply`, `answer`, or a text/event-stream
of deltas) or refuses anonymous callers (401/403).

Prompts are text-only POSTs (`llm_prompt=True`): the one exception to "safe methods only",
allowed by default for these probes only, because answering a prompt changes nothing. They go
anonymously first; with credentials (over https, or with --allow-cleartext-credentials) when
the endpoint refuses anonymous callers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from apivigil.checks.base import ScanContext
from apivigil.checks.target import Endpoint
from apivigil.core.errors import BudgetExhaustedError, ProbeError
from apivigil.http.client import ProbeResponse
from apivigil.spec.model import JsonObject

# Paths that only model APIs use; other operations must show a model-shaped body, because a
# prompt is POSTed to whatever is detected (a POST /invoices/generate must never get one).
LLM_PATH = re.compile(
    r"(chat/completions$|/completions$|/v\d+/messages$|/v\d+/responses$|/llm(/|$)|"
    r"/chat$|/v\d+/generate$|/api/generate$|/api/chat$)", re.IGNORECASE)
TIERS = {"off": 0, "quick": 5, "standard": 12, "deep": 20}
BENIGN_PROMPT = "Reply with the single word: pong."
_TEXT_FIELDS = ("message", "input", "query", "question", "text", "content")


@dataclass(frozen=True)
class LlmEndpoint:
    """A confirmed LLM endpoint and how to talk to it."""

    endpoint: Endpoint
    shape: str  # chat (messages), prompt, or a text field name
    first: ProbeResponse  # the anonymous benign exchange
    authenticated: bool  # prompts need the user's credentials
    benign_reply: str

    @property
    def operation(self) -> str:
        return f"{self.endpoint.method} {self.endpoint.path}"


@dataclass(frozen=True)
class Answer:
    response: ProbeResponse
    text: str  # the model's reply, streamed deltas joined
    data: Any  # the parsed JSON answer (or None)


def tier_size(ctx: ScanContext) -> int:
    return TIERS.get(str(ctx.options.llm_probes).lower(), TIERS["quick"])


def llm_endpoints(ctx: ScanContext) -> list[LlmEndpoint]:
    """Confirmed LLM endpoints (at most 2), detected once per scan."""
    return ctx.cache.get_or_compute("llm-endpoints", lambda: _detect(ctx))


def candidates(ctx: ScanContext) -> list[tuple[Endpoint, str]]:
    """(endpoint, request shape) for every operation that looks like a model API."""
    found = []
    for endpoint in ctx.target.endpoints:
        if "{" in endpoint.url.split("?", 1)[0]:
            continue
        operation = endpoint.operation
        properties = _body_properties(operation.request_body) if operation else {}
        shape = _shape(endpoint.path, properties)
        if operation is None:
            if LLM_PATH.search(endpoint.path):
                found.append((endpoint, shape))
        elif endpoint.method == "POST" and (LLM_PATH.search(endpoint.path)
                                            or _model_shaped(properties)):
            found.append((endpoint, shape))
    return found[:2]


def _model_shaped(properties: dict[str, Any]) -> bool:
    """A body that takes a prompt, or chat messages with roles."""
    if isinstance(properties.get("prompt"), dict):
        return True
    messages = properties.get("messages")
    if not isinstance(messages, dict) or messages.get("type") not in ("array", None):
        return False
    items = messages.get("items")
    declared = items.get("properties") if isinstance(items, dict) else None
    return not isinstance(declared, dict) or "role" in declared


def _shape(path: str, properties: dict[str, Any]) -> str:
    if "messages" in properties:
        return "chat"
    if "prompt" in properties:
        return "prompt"
    for name in _TEXT_FIELDS:
        if name in properties:
            return name
    if re.search(r"/completions?$|/generate", path) and "chat" not in path:
        return "prompt"
    return "chat"


def _body_properties(body: JsonObject | None) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
        return {}
    for media_type, media in body["content"].items():
        if "json" in media_type.lower() and isinstance(media, dict):
            schema = media.get("schema")
            if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
                return dict(schema["properties"])
    return {}


def _detect(ctx: ScanContext) -> list[LlmEndpoint]:
    confirmed = []
    for endpoint, shape in candidates(ctx):
        try:
            first = _post(ctx, endpoint, shape, request_body(endpoint, shape, BENIGN_PROMPT),
                          authenticated=False)
        except BudgetExhaustedError:
            raise
        except ProbeError:
            continue
        if first.status in (401, 403):
            if not ctx.auth_headers():
                confirmed.append(LlmEndpoint(endpoint, shape, first, True, ""))
                continue
            try:
                second = _post(ctx, endpoint, shape,
                               request_body(endpoint, shape, BENIGN_PROMPT), authenticated=True)
            except BudgetExhaustedError:
                raise
            except ProbeError:
                continue
            answer = read_answer(second)
            if answer is not None:
                confirmed.append(LlmEndpoint(endpoint, shape, first, True, answer.text))
            continue
        answer = read_answer(first)
        if answer is not None:
            confirmed.append(LlmEndpoint(endpoint, shape, first, False, answer.text))
    return confirmed


def request_body(endpoint: Endpoint, shape: str, prompt: str, *,
                 system: str | None = None, extra: dict[str, Any] | None = None) -> JsonObject:
    """The endpoint's own example body (when it has one) with the prompt put in place."""
    try:
        body = json.loads(endpoint.body) if endpoint.body else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if shape == "chat":
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        body["messages"] = messages
    else:
        body[shape] = prompt
    body.update(extra or {})
    return body


def _post(ctx: ScanContext, endpoint: Endpoint, shape: str, body: JsonObject, *,
          authenticated: bool, accept_throttling: bool = False) -> ProbeResponse:
    del shape
    headers = dict(endpoint.headers)
    headers["Content-Type"] = "application/json"
    if authenticated:
        headers.update(ctx.auth_headers())
    return ctx.http.request("POST", endpoint.url, headers=headers,
                            content=json.dumps(body).encode(), llm_prompt=True,
                            use_extra_headers=authenticated,
                            accept_throttling=accept_throttling)


def ask(ctx: ScanContext, llm: LlmEndpoint, prompt: str, *, system: str | None = None,
        extra: dict[str, Any] | None = None, accept_throttling: bool = False) -> Answer | None:
    """One prompt to a confirmed endpoint; None when it failed or is no completion."""
    body = request_body(llm.endpoint, llm.shape, prompt, system=system, extra=extra)
    try:
        response = _post(ctx, llm.endpoint, llm.shape, body, authenticated=llm.authenticated,
                         accept_throttling=accept_throttling)
    except BudgetExhaustedError:
        raise
    except ProbeError:
        return None
    return read_answer(response)


def read_answer(response: ProbeResponse) -> Answer | None:
    """The model's reply from an OpenAI-, Anthropic- or plain-shaped (or streamed) answer."""
    if not 200 <= response.status < 300:
        return None
    kind = response.headers.get("content-type", "")
    if "event-stream" in kind:
        return Answer(response, _streamed(response.text), None)
    try:
        data = json.loads(response.text)
    except ValueError:
        return None
    text = reply_text(data)
    return Answer(response, text, data) if text is not None else None


def reply_text(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    choices = data.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        first = choices[0]
        message = first.get("message") or first.get("delta") or {}
        if isinstance(message, dict) and ("content" in message or "tool_calls" in message):
            return str(message.get("content") or "")
        if "text" in first:
            return str(first["text"] or "")
    content = data.get("content")
    if isinstance(content, list):
        return "".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    for key in ("completion", "output_text", "output", "response", "reply", "answer", "text",
                "generated_text"):
        value = data.get(key)
        if isinstance(value, str):
            return value
    return None


def _streamed(text: str) -> str:
    parts = []
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            break
        try:
            event = json.loads(payload)
        except ValueError:
            continue
        if isinstance(event, dict):
            delta = event.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("text"), str):
                parts.append(delta["text"])
                continue
            piece = reply_text(event)
            if piece:
                parts.append(piece)
    return "".join(parts)


def tool_calls(data: Any) -> list[str]:
    """Names of tool or function calls in an answer (OpenAI tool_calls/function_call,
    Anthropic tool_use blocks, or a plain tool_results list)."""
    names: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("tool_calls", "tool_results", "function_call"):
                value = node.get(key)
                items = value if isinstance(value, list) else [value] if value else []
                for item in items:
                    if isinstance(item, dict):
                        function = item.get("function")
                        name = function.get("name") if isinstance(function, dict) \
                            else item.get("name")
                        if name:
                            names.append(str(name))
            if node.get("type") == "tool_use" and node.get("name"):
                names.append(str(node["name"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return sorted(set(names))
