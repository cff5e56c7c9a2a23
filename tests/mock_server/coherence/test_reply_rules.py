"""Reply rules (replies.py): where each spec's prompt and reply live, and a reply written into an API's own shape.

These are the foundation of scripted replies: a stub matches `prompt_text` and answers with `write_reply`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server.generation import FakeGenerator
from mock_server.inference import build_api_model
from mock_server.loader import load_spec
from mock_server.models import ApiModel
from mock_server.replies import Reply, ToolCall, prompt_text, reply_rule, write_reply
from mock_server.web.app import load_apis
from tests.conftest import SPECS
from tests.mock_server.coherence.conftest import HELPDESK

APIS = load_apis((SPECS,))


@pytest.mark.parametrize(("api", "operation", "prompt", "store", "text"), [
    ("devs-ai", "createChatCompletion", "/messages", None, "/choices/0/message/content"),
    ("devs-ai", "sendChatMessage", "/prompt", "messages", "/content"),
    ("devs-ai", "submitToolOutputs", None, "messages", "/content"),
    ("coder-chats", "sendChatMessage", "/content", "messages", "/content/0/text"),
    ("coder-chats", "createChat", "/content", "messages", "/content/0/text"),  # its first turn
    ("project-ai-chat", "sendProjectAiChatMessage", "/messages", None, "/message/content"),
    ("pulumi-ai", "appendMessageToConversation", "/message", "messages", "/message"),
    ("pulze", "getConversation", None, None, "/requests/0/response/choices/0/message/content"),  # a read: stubs only
])
def test_each_spec_s_replies_are_found(api: str, operation: str, prompt: str | None, store: str | None,
                                       text: str) -> None:
    rule = reply_rule(APIS[api], APIS[api].operation(operation))
    assert rule is not None
    assert (rule.prompt, rule.store, rule.text) == (prompt, store, text)


@pytest.mark.parametrize(("api", "operation"), [
    ("devs-ai", "createAI"), ("devs-ai", "getChat"), ("coder-chats", "updateChat"), ("pulumi-ai", "createConversation"),
])
def test_operations_without_a_reply_have_no_rule(api: str, operation: str) -> None:
    assert reply_rule(APIS[api], APIS[api].operation(operation)) is None


@pytest.mark.parametrize(("api", "operation", "body", "expected"), [
    ("devs-ai", "createChatCompletion",
     {"messages": [{"role": "user", "content": "first"}, {"role": "assistant", "content": "ok"},
                   {"role": "user", "content": "second question"}, {"role": "system", "content": "be brief"}]},
     "second question"),
    ("devs-ai", "sendChatMessage", {"prompt": "plain text"}, "plain text"),
    ("devs-ai", "sendChatMessage", {"prompt": [{"type": "text", "text": "look at"}, {"type": "image", "id": "f1"},
                                               {"type": "text", "text": "this"}]}, "look at this"),
    ("coder-chats", "sendChatMessage", {"content": [{"type": "text", "text": "fix the bug"}]}, "fix the bug"),
    ("pulumi-ai", "appendMessageToConversation", {"message": "Add a CDN"}, "Add a CDN"),
])
def test_the_prompt_is_the_text_of_the_last_user_message(api: str, operation: str, body: Any, expected: str) -> None:
    rule = reply_rule(APIS[api], APIS[api].operation(operation))
    assert rule is not None
    assert prompt_text(rule, body) == expected


def _helpdesk() -> ApiModel:
    return build_api_model(load_spec(HELPDESK))


def test_a_reply_with_tool_calls_is_written_in_the_declared_shape() -> None:
    api = _helpdesk()
    rule = reply_rule(api, api.operation("askAboutTicket"))
    assert rule is not None
    gen = FakeGenerator(3)
    doc: dict[str, Any] = {"answer": {"author": "human", "body": "x", "end": "exhausted"}, "tokens": {}}
    reply = Reply("Let me look it up.", tool_calls=(ToolCall("lookup", {"ticket": 7}),))
    write_reply(rule, doc, reply, {"question": "where is it"}, gen)
    answer = doc["answer"]
    assert answer["author"] == "bot" and answer["body"] == "Let me look it up." and answer["end"] == "tool"
    [call] = answer["calls"]
    assert call["type"] == "function" and call["function"]["name"] == "lookup"
    assert json.loads(call["function"]["arguments"]) == {"ticket": 7}
    assert doc["tokens"]["asked"] == 3 and doc["tokens"]["sum"] == doc["tokens"]["asked"] + doc["tokens"]["said"]
    write_reply(rule, doc, Reply("Done."), {"question": "and now"}, gen)
    assert "calls" not in doc["answer"] and doc["answer"]["end"] == "done"


def test_a_declared_finish_reason_wins() -> None:
    api = _helpdesk()
    rule = reply_rule(api, api.operation("askAboutTicket"))
    assert rule is not None
    doc: dict[str, Any] = {"answer": {}, "tokens": {}}
    write_reply(rule, doc, Reply("Out of room", finish_reason="exhausted"), {"question": "q"}, FakeGenerator(1))
    assert doc["answer"]["end"] == "exhausted"
