"""Scripted client sessions for the validating proxy: what a client of each reference server plausibly sends.

A session is a list of steps sent in order through `contracts proxy` (tests/contracts/proxy/). Ordinary steps are
valid requests: against a correct server each must come back with `x-contract-violations: 0`. Probes are requests
the spec calls wrong on purpose (no credentials, a value out of range): a correct server refuses them, so only
request-side checks may fire; a faulty one serves them, which the response-side checks catch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.proxy.validation import RESPONSE_CHECKS
from tests.reference_servers import coder_chats, notes, project_ai_chat, pulumi_ai, streams

__all__ = ["PROXY_CHECKS", "SESSIONS", "Step"]

# The checks a proxy can see on one exchange (no second request, no stream end): faults caught by others, such
# as `create_read_round_trip`, need `contracts run`.
PROXY_CHECKS = frozenset(RESPONSE_CHECKS)
ANONYMOUS: Mapping[str, str] = {}


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a session; `headers=None` sends the session's credentials."""

    method: str
    path: str
    json: Any = None
    headers: Mapping[str, str] | None = None
    probe: bool = False
    repeat: int = 1
    capture: str | None = None  # keep the response's `id` under this name; later paths use it as `{name}`


_CONVERSATIONS = "/api/orgs/acme-corp/ai/conversations"
_CONVERSATION = f"{_CONVERSATIONS}/jdoe/conv-1"
_MESSAGE = {"model": "gpt", "message": "Create a bucket", "message_schema_version": "1", "skills": "", "role": "user"}

_PULUMI = (
    Step("POST", f"{_CONVERSATIONS}/jdoe", {"conversation_id": "conv-1"}),
    Step("GET", _CONVERSATIONS),
    Step("GET", f"{_CONVERSATIONS}/jdoe?page=1&pageSize=20"),
    Step("GET", _CONVERSATION),
    Step("PATCH", _CONVERSATION, {"title": "Bucket", "summary": "An S3 bucket"}),
    Step("POST", f"{_CONVERSATION}/messages", _MESSAGE),
    Step("POST", f"{_CONVERSATION}/feedback", {"feedbackKind": "thumbsup", "comment": "good"}),
    Step("GET", f"{_CONVERSATION}/programs/prog-1.zip"),
    Step("GET", f"{_CONVERSATIONS}/jdoe/no-such-conversation"),
    Step("GET", "/api/user/ai/usage?lookbackDuration=3600"),
    Step("POST", "/api/ai/template", {"language": "rust", "instructions": "An S3 bucket"}),
    Step("GET", f"{_CONVERSATIONS}?pageSize=100"),
    Step("GET", "/api/user/ai/usage", headers=ANONYMOUS, probe=True),
    Step("GET", "/api/user/ai/usage?lookbackDuration=0", probe=True),
    Step("GET", f"{_CONVERSATIONS}?pageSize=101", probe=True),
)

_PROJECT = "/v1/projects/my-project-a1b2c/ai/chat"
_CHAT = {"messages": [{"role": "user", "content": "Which services publish to order-events?"}]}
_PROJECT_AI_CHAT = (
    Step("POST", _PROJECT, _CHAT),
    Step("POST", f"/v1/projects/{'p' * 60}/ai/chat", _CHAT),
    # One more than the per-project limit: the last is answered 429 with Retry-After.
    Step("POST", "/v1/projects/rate-limited-project/ai/chat", _CHAT, repeat=project_ai_chat.RATE_LIMIT[0] + 1),
    Step("POST", _PROJECT, _CHAT, headers=ANONYMOUS, probe=True),
    Step("POST", "/v1/projects/invalid-body-project/ai/chat", {"messages": "hi"}, probe=True),
)

_CHATS = "/api/experimental/chats"
_CODER_CONTENT = [{"type": "text", "text": "Fix the build"}]
_CODER = (
    Step("POST", _CHATS, {"content": _CODER_CONTENT}, capture="chat"),
    Step("GET", _CHATS),
    Step("GET", f"{_CHATS}/{{chat}}"),
    Step("PATCH", f"{_CHATS}/{{chat}}", {"title": "Fix the build", "pin_order": 1}),
    Step("POST", f"{_CHATS}/{{chat}}/messages", {"content": _CODER_CONTENT, "busy_behavior": "wait"}),
    Step("GET", f"{_CHATS}/{{chat}}/messages?limit=50"),
    Step("POST", f"{_CHATS}/{{chat}}/interrupt"),
    Step("POST", f"{_CHATS}/{{chat}}/title/regenerate"),
    Step("GET", f"{_CHATS}/models"),
    Step("GET", f"{_CHATS}/00000000-0000-4000-8000-000000000000"),
    Step("GET", _CHATS, headers=ANONYMOUS, probe=True),
    Step("GET", f"{_CHATS}/{{chat}}/messages?limit=201", probe=True),
)

_NOTES = (
    Step("POST", "/notes", {"title": "Groceries", "pinned": False}, repeat=4),
    Step("GET", "/notes?limit=10"),
)

_STREAMS = (
    Step("POST", "/completions", {"prompt": "Say hello"}),
)


@dataclass(frozen=True, slots=True)
class Session:
    """A reference server's session: its steps and the credentials its ordinary steps carry."""

    steps: tuple[Step, ...]
    credentials: Mapping[str, str]


SESSIONS: dict[str, Session] = {
    "pulumi-ai": Session(_PULUMI, {"Authorization": f"token {pulumi_ai.TOKEN}"}),
    "project-ai-chat": Session(_PROJECT_AI_CHAT, project_ai_chat.HEADERS),
    "coder-chats": Session(_CODER, coder_chats.HEADERS),
    "notes": Session(_NOTES, {"Authorization": f"Bearer {notes.TOKEN}"}),
    "streams": Session(_STREAMS, {"Authorization": f"Bearer {streams.TOKEN}"}),
}
