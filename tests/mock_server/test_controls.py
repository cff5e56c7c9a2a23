"""What a frontend developer drives: Prefer headers, latency and error rate, CORS, and the admin API."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from mock_server import Settings, create_app
from tests.conftest import SPECS
from tests.reference_servers.serving import serve
from tests.spec_checked_client import SpecCheckedClient

CHAT = "/v1/projects/my-project-a1b2c/ai/chat"
HELLO = {"messages": [{"role": "user", "content": "hi"}]}


def test_prefer_code_returns_that_documented_status(api_client) -> None:
    c = api_client("project-ai-chat")
    limited = c.post(CHAT, json=HELLO, headers={"Prefer": "code=429"})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"].isdigit()
    assert limited.json()["code"] == "rate_limited"
    not_found = c.post(CHAT, json=HELLO, headers={"Prefer": "code=404"})
    assert not_found.status_code == 404 and not_found.json()["code"] == "project_not_found"


def test_prefer_code_that_is_not_documented_is_a_clear_400(api_client) -> None:
    c = api_client("project-ai-chat")
    refused = c.post(CHAT, json=HELLO, headers={"Prefer": "code=418"})
    assert refused.status_code == 400
    assert "418" in refused.json()["message"] and "documented" in refused.json()["message"]


def test_prefer_example_returns_the_named_example(api_client) -> None:
    c = api_client("pulumi-ai")
    conv = "prefer-example"
    c.post("/api/orgs/acme/ai/conversations/jdoe", json={"conversation_id": conv})
    spec_examples = c.document["paths"]["/api/orgs/{orgName}/ai/conversations/{userLogin}"]["post"]["responses"]
    name, example = next((n, e) for n, e in spec_examples["409"]["content"]["application/json"]["examples"].items())
    forced = c.post("/api/orgs/acme/ai/conversations/jdoe", json={"conversation_id": "other"},
                    headers={"Prefer": f"example={name}"})
    assert forced.status_code == 409 and forced.json() == example["value"]
    unknown = c.post("/api/orgs/acme/ai/conversations/jdoe", json={"conversation_id": "x2"},
                     headers={"Prefer": "example=nope"})
    assert unknown.status_code == 400 and "nope" in unknown.json()["message"]


def test_prefer_delay_slows_one_response(api_client) -> None:
    c = api_client("project-ai-chat")
    started = time.perf_counter()
    assert c.post(CHAT, json=HELLO, headers={"Prefer": "delay=300"}).status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_error_rate_answers_documented_failures() -> None:
    spec = SPECS / "project-ai-chat.yaml"
    with serve(create_app(Settings(specs=(spec,), error_rate=1.0, seed=1))) as root:
        with SpecCheckedClient(spec, f"{root}/project-ai-chat") as c:
            statuses = {c.post(CHAT, json=HELLO).status_code for _ in range(12)}
    assert statuses <= {429, 500} and statuses


def test_cors_preflight_and_headers(mock_root: str) -> None:
    origin = {"Origin": "http://localhost:5173"}
    preflight = httpx.options(f"{mock_root}/devs-ai/api/v1/me/ai", headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    answer = httpx.get(f"{mock_root}/devs-ai/api/v1/me/ai", headers={**origin, "Authorization": "Bearer t"})
    assert answer.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")


def test_no_cors_turns_it_off() -> None:
    with serve(create_app(Settings(cors=False))) as root:
        answer = httpx.get(f"{root}/__mock/health", headers={"Origin": "http://localhost:5173"})
    assert "access-control-allow-origin" not in answer.headers


def test_index_swagger_ui_and_spec(mock_root: str) -> None:
    apis = httpx.get(f"{mock_root}/").json()["apis"]
    assert sorted(a["name"] for a in apis) == sorted(p.stem for p in SPECS.glob("*.yaml"))
    ui = httpx.get(f"{mock_root}/pulumi-ai/ui/")
    assert ui.status_code == 200 and "swagger" in ui.text.lower()
    served = httpx.get(f"{mock_root}/pulumi-ai/openapi.json").json()
    assert served["servers"] == [{"url": "/pulumi-ai"}]  # Swagger UI's "try it out" calls the mock


def test_reset_journal_and_state_round_trip() -> None:
    spec = SPECS / "devs-ai.yaml"
    with serve(create_app(Settings(specs=(spec,), seed=2))) as root:
        with SpecCheckedClient(spec, f"{root}/devs-ai") as c:
            seeded = [a["id"] for a in c.get("/api/v1/me/ai").json()["data"]]
            group = c.post("/api/v1/groups", json={"name": "Ops", "availability": "EVERYONE", "memberEmails": ""})
            journal = httpx.get(f"{root}/__mock/requests").json()["requests"]
            assert [(e["method"], e["status"]) for e in journal[-2:]] == [("GET", 200), ("POST", 200)]
            assert all(e["latency_ms"] >= 0 for e in journal)

            state = httpx.get(f"{root}/__mock/state").json()
            assert group.json()["id"] in [g["id"] for g in state["devs-ai"]["groups"]]

            assert httpx.post(f"{root}/__mock/reset", params={"api": "devs-ai"}).status_code == 200
            assert group.json()["id"] not in [g["id"] for g in _groups(c)]
            assert [a["id"] for a in c.get("/api/v1/me/ai").json()["data"]] == seeded  # same seed, same data

            assert httpx.put(f"{root}/__mock/state", json=state).status_code == 200
            assert [g["id"] for g in _groups(c)] == [g["id"] for g in state["devs-ai"]["groups"]]
            bad = httpx.put(f"{root}/__mock/state", content=b"{not json")
            assert bad.status_code == 400 and "JSON" in bad.json()["message"]
            assert httpx.post(f"{root}/__mock/reset", params={"api": "nope"}).status_code == 404


def _groups(c: SpecCheckedClient) -> list[dict]:
    body = c.get("/api/v1/me/groups").json()
    return body if isinstance(body, list) else body["data"]


def test_admin_token_guards_the_admin_api() -> None:
    with serve(create_app(Settings(admin_token="s3cret"))) as root:
        assert httpx.post(f"{root}/__mock/reset").status_code == 401
        assert httpx.post(f"{root}/__mock/reset", headers={"X-Mock-Admin-Token": "s3cret"}).status_code == 200
        assert httpx.get(f"{root}/__mock/health").status_code == 200


def test_auth_token_requires_that_exact_credential(tmp_path: Path) -> None:
    spec = SPECS / "pulumi-ai.yaml"
    with serve(create_app(Settings(specs=(spec,), auth_token="abc"))) as root:
        url = f"{root}/pulumi-ai/api/user/ai/usage"
        assert httpx.get(url, headers={"Authorization": "token abc"}).status_code == 200
        wrong = httpx.get(url, headers={"Authorization": "token xyz"})
        assert wrong.status_code == 401 and set(wrong.json()) == {"code", "message"}


@pytest.mark.parametrize("state", ["sqlite"])
def test_sqlite_state_survives_a_restart(tmp_path: Path, state: str) -> None:
    spec = SPECS / "pulumi-ai.yaml"
    settings = Settings(specs=(spec,), state=f"sqlite:///{tmp_path / 'mock.db'}", seed=4)
    base = "/api/orgs/acme/ai/conversations/jdoe"
    with serve(create_app(settings)) as root, SpecCheckedClient(spec, f"{root}/pulumi-ai") as c:
        c.post(base, json={"conversation_id": "kept"})
        c.patch(f"{base}/kept", json={"title": "Kept", "summary": "across restarts"})
    with serve(create_app(settings)) as root, SpecCheckedClient(spec, f"{root}/pulumi-ai") as c:
        again = c.get(f"{base}/kept")
        assert again.status_code == 200 and again.json()["conversation"]["title"] == "Kept"


def test_same_seed_same_data() -> None:
    spec = SPECS / "coder-chats.yaml"

    def session() -> list[object]:
        with serve(create_app(Settings(specs=(spec,), seed=42))) as root:
            with SpecCheckedClient(spec, f"{root}/coder-chats") as c:
                chats = c.get("/api/experimental/chats").json()
                made = c.post("/api/experimental/chats", json={"content": [{"type": "text", "text": "hi"}]}).json()
                sent = c.post(f"/api/experimental/chats/{made['id']}/messages",
                              json={"content": [{"type": "text", "text": "more"}]}).json()
                return [chats, made, sent]

    first, second = session(), session()
    assert first == second
    with serve(create_app(Settings(specs=(spec,), seed=43))) as root:
        other = httpx.get(f"{root}/coder-chats/api/experimental/chats", headers={"Coder-Session-Token": "t"}).json()
    assert other != first[0]
