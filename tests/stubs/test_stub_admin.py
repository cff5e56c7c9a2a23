"""Stubs over the admin API: create, list, delete, reset; what they match; what they answer; refusals naming the
field; `times`, `priority` and scenarios; the journal's per-operation and per-stub view."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.stubs.conftest import Server, add_stub

DEVS = {"Authorization": "Bearer t"}
COMPLETION = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}
BODY = {"id": "cmpl-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "fixed"}, "finish_reason": "stop"}]}


def _stub(**fields: Any) -> dict[str, Any]:
    return {"api": "devs-ai", "operation": "createChatCompletion", "respond": {"body": BODY}, **fields}


def _complete(root: str, body: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
    headers = {**DEVS, **kwargs.pop("headers", {})}
    return httpx.post(f"{root}/devs-ai/api/v1/chat/completions", json=body or COMPLETION, headers=headers,
                      timeout=10, **kwargs)


def test_a_stub_is_created_listed_and_deleted(root: str, admin: httpx.Client) -> None:
    created = admin.post("/__mock/stubs", json=_stub())
    assert created.status_code == 201 and created.headers["location"] == f"/__mock/stubs/{created.json()['id']}"
    stub_id = created.json()["id"]
    assert _complete(root).json() == BODY
    listed = admin.get("/__mock/stubs").json()["stubs"]
    assert [(s["id"], s["hits"], s["respond"]) for s in listed] == [(stub_id, 1, {"body": BODY})]
    assert admin.get(f"/__mock/stubs/{stub_id}").json()["id"] == stub_id
    assert admin.delete(f"/__mock/stubs/{stub_id}").status_code == 204
    assert admin.delete(f"/__mock/stubs/{stub_id}").status_code == 404
    assert _complete(root).json() != BODY


def test_delete_all_and_reset_forget_the_stubs(root: str, admin: httpx.Client) -> None:
    add_stub(admin, _stub())
    assert admin.delete("/__mock/stubs").json() == {"deleted": "all"}
    assert admin.get("/__mock/stubs").json() == {"stubs": []}
    add_stub(admin, _stub())
    assert admin.post("/__mock/reset").status_code == 200
    assert admin.get("/__mock/stubs").json() == {"stubs": []} and _complete(root).json() != BODY


@pytest.mark.parametrize(("stub", "field"), [
    (_stub(respond={"body": {**BODY, "choices": [{**BODY["choices"][0], "index": "zero"}]}}),
     "respond.body/choices/0/index"),
    (_stub(respond={"body": {"id": 1}}), "respond.body"),
    (_stub(respond={"merge": {"created": "yesterday"}}), "respond.merge/created"),
    (_stub(respond={"status": 418}), "respond.status"),
    (_stub(respond={"example": "nope"}), "respond.example"),
    (_stub(respond={"reply": {"text": 3}}), "respond.reply.text"),
    (_stub(respond={"body": BODY, "merge": {}}), "respond.merge"),
    (_stub(match={"body": {"/model": {"matches": "("}}}), "match.body./model.matches"),
    (_stub(match={"colour": "red"}), "match.colour"),
    (_stub(operation="nope"), "operation"),
    (_stub(api="nope"), "api"),
    (_stub(times=0), "times"),
    (_stub(next="b"), "scenario"),
    ({"api": "coder-chats", "operation": "listChatModels", "respond": {"reply": {"text": "x"}}}, "respond.reply"),
])
def test_a_stub_that_breaks_the_spec_is_refused_naming_the_field(admin: httpx.Client, stub: dict[str, Any],
                                                                 field: str) -> None:
    refused = admin.post("/__mock/stubs", json=stub)
    assert refused.status_code == 400 and refused.json()["field"] == field
    assert refused.json()["message"].startswith(f"{field}: ")
    assert admin.get("/__mock/stubs").json() == {"stubs": []}


def test_a_stub_that_is_not_json_is_refused(admin: httpx.Client) -> None:
    refused = admin.post("/__mock/stubs", content=b"{", headers={"content-type": "application/json"})
    assert refused.status_code == 400 and "JSON" in refused.json()["message"]


def test_allow_invalid_answers_the_broken_body_and_the_journal_marks_it(root: str, admin: httpx.Client) -> None:
    stub_id = add_stub(admin, _stub(respond={"status": 200, "body": {"broken": True}}, allow_invalid=True))
    assert _complete(root).json() == {"broken": True}
    entry = admin.get("/__mock/requests", params={"stub": stub_id}).json()["requests"][-1]
    assert entry["stub_allow_invalid"] is True and entry["operation"] == "createChatCompletion"


def test_conditions_on_path_query_headers_and_body(root: str, admin: httpx.Client) -> None:
    add_stub(admin, _stub(match={"headers": {"X-Team": {"matches": "^blue"}},
                                 "body": {"/model": "gpt-4o", "/messages/0/content": {"contains": "ell"}}}))
    asked = {**COMPLETION, "model": "gpt-4o"}
    assert _complete(root, asked, headers={"x-team": "blue-7"}).json() == BODY
    assert _complete(root, asked, headers={"x-team": "red"}).json() != BODY
    assert _complete(root, {**asked, "model": "other"}, headers={"x-team": "blue"}).json() != BODY
    assert _complete(root, COMPLETION).json() != BODY  # no header at all
    chats = httpx.get(f"{root}/devs-ai/api/v1/me/chats", headers=DEVS).json()["data"]
    add_stub(admin, {"api": "devs-ai", "method": "GET", "path": "/api/v1/chats/{chatId}",
                     "match": {"path": {"chatId": chats[0]["id"]}}, "respond": {"status": 404}})
    assert httpx.get(f"{root}/devs-ai/api/v1/chats/{chats[0]['id']}", headers=DEVS).status_code == 404
    assert httpx.get(f"{root}/devs-ai/api/v1/chats/{chats[1]['id']}", headers=DEVS).status_code == 200


def test_headers_examples_and_statuses(root: str, admin: httpx.Client) -> None:
    add_stub(admin, _stub(respond={"body": BODY, "headers": {"x-request-id": "stubbed"}}))
    assert _complete(root).headers["x-request-id"] == "stubbed"
    admin.delete("/__mock/stubs")
    add_stub(admin, _stub(respond={"status": 401}))
    refused = _complete(root)
    assert refused.status_code == 401 and refused.json()["error"]["message"]
    spec_example = {"api": "coder-chats", "operation": "listChatModels", "respond": {"example": "models"}}
    add_stub(admin, spec_example)
    models = httpx.get(f"{root}/coder-chats/api/experimental/chats/models", headers={"Coder-Session-Token": "t"})
    documented = httpx.get(f"{root}/coder-chats/api/experimental/chats/models",
                           headers={"Coder-Session-Token": "t", "Prefer": "example=models"})
    assert models.status_code == 200 and models.json() == documented.json()


def test_times_then_generated_answers(root: str, admin: httpx.Client) -> None:
    stub_id = add_stub(admin, _stub(times=1))
    assert _complete(root).json() == BODY
    assert _complete(root).json() != BODY
    assert admin.get(f"/__mock/stubs/{stub_id}").json()["hits"] == 1


def test_the_higher_priority_then_the_newest_stub_answers(root: str, admin: httpx.Client) -> None:
    def content(text: str) -> dict[str, Any]:
        return {"reply": {"text": text}}

    add_stub(admin, _stub(respond=content("low"), priority=-1))
    add_stub(admin, _stub(respond=content("older")))
    add_stub(admin, _stub(respond=content("newer")))
    assert _complete(root).json()["choices"][0]["message"]["content"] == "newer"
    add_stub(admin, _stub(respond=content("urgent"), priority=5))
    assert _complete(root).json()["choices"][0]["message"]["content"] == "urgent"


def test_a_scenario_walks_a_conversation(root: str, admin: httpx.Client) -> None:
    def turn(state: str, text: str, next_state: str) -> dict[str, Any]:
        return _stub(scenario="weather", state=state, next=next_state, respond={"reply": {"text": text}})

    add_stub(admin, turn("Started", "Which city?", "asked"))
    add_stub(admin, turn("asked", "Sunny in Oslo.", "done"))
    assert admin.get("/__mock/scenarios").json() == {"scenarios": [{"name": "weather", "state": "Started"}]}
    texts = [_complete(root).json()["choices"][0]["message"]["content"] for _ in range(3)]
    assert texts[:2] == ["Which city?", "Sunny in Oslo."] and texts[2] not in texts[:2]
    assert admin.get("/__mock/scenarios").json() == {"scenarios": [{"name": "weather", "state": "done"}]}


def test_the_journal_filters_by_operation_and_stub(root: str, admin: httpx.Client) -> None:
    stub_id = add_stub(admin, _stub(match={"body": {"/model": "journal"}}))
    _complete(root, {**COMPLETION, "model": "journal"})
    _complete(root, {**COMPLETION, "model": "other"})
    by_stub = admin.get("/__mock/requests", params={"stub": stub_id}).json()
    assert by_stub["count"] == 1 and by_stub["requests"][0]["status"] == 200
    by_operation = admin.get("/__mock/requests", params={"operation": "createChatCompletion"}).json()
    assert by_operation["count"] >= 2 and {e["operation"] for e in by_operation["requests"]} == {
        "createChatCompletion"}


def test_the_fast_path_and_connexion_answer_a_stub_alike(mock_server: Server) -> None:
    answers = []
    for fast in (True, False):
        with mock_server(seed=3, fast_path=fast) as root, httpx.Client(base_url=root, timeout=10) as admin:
            add_stub(admin, _stub(respond={"reply": {"text": "same"}, "headers": {"x-stub": "1"}}))
            response = _complete(root)
            answers.append((response.status_code, response.headers["x-stub"], response.content))
    assert answers[0] == answers[1]


def test_the_admin_rule_guards_the_stubs(mock_server: Server) -> None:
    with mock_server(admin_token="secret") as root:
        assert httpx.post(f"{root}/__mock/stubs", json=_stub()).status_code == 401
        assert httpx.get(f"{root}/__mock/scenarios").status_code == 401
        created = httpx.post(f"{root}/__mock/stubs", json=_stub(), headers={"X-Mock-Admin-Token": "secret"})
        assert created.status_code == 201


def test_a_reset_of_one_api_forgets_only_its_stubs(root: str, admin: httpx.Client) -> None:
    add_stub(admin, _stub())
    pulze = add_stub(admin, {"api": "pulze", "operation": "getConversation"})
    admin.post("/__mock/reset", params={"api": "devs-ai"})
    assert [s["id"] for s in admin.get("/__mock/stubs").json()["stubs"]] == [pulze]


def test_the_state_export_leaves_stubs_out_and_an_import_keeps_them(root: str, admin: httpx.Client) -> None:
    stub_id = add_stub(admin, _stub())
    exported = admin.get("/__mock/state").json()
    assert set(exported) <= {"devs-ai", "coder-chats", "project-ai-chat", "pulumi-ai", "pulze"}
    assert admin.put("/__mock/state", json=exported).status_code == 200
    assert [s["id"] for s in admin.get("/__mock/stubs").json()["stubs"]] == [stub_id]
    assert _complete(root).json() == BODY
