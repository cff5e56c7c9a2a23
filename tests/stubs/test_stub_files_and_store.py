"""Stubs from a file (`--stubs FILE.yaml`), kept across restarts with SQLite, shared by instances on one Redis.
(Schemathesis finding nothing with a stubs file loaded: tests/mock_server/test_schemathesis_mock.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mock_server import Settings, create_app
from mock_server.errors import SettingsError
from tests.mock_server.processes import mock_server_process
from tests.mock_server.redis_server import redis_server
from tests.reference_servers.serving import serve
from tests.stubs.conftest import MARKDOWN, STUBS, Server, add_stub

DEVS = {"Authorization": "Bearer t"}
COMPLETION = {"model": "m", "messages": [{"role": "user", "content": "make a plan"}]}


def _content(root: str) -> str:
    answer = httpx.post(f"{root}/devs-ai/api/v1/chat/completions", json=COMPLETION, headers=DEVS, timeout=10)
    return str(answer.json()["choices"][0]["message"]["content"])


def _write(tmp_path: Path, stubs: Any, name: str = "stubs.yaml") -> Path:
    path = tmp_path / name
    path.write_text(stubs if isinstance(stubs, str) else yaml.safe_dump(stubs, sort_keys=False))
    return path


def test_a_stubs_file_is_loaded_at_start_and_comes_back_after_a_reset(mock_server: Server, tmp_path: Path) -> None:
    with mock_server(seed=1, stubs=_write(tmp_path, STUBS)) as root:
        listed = httpx.get(f"{root}/__mock/stubs").json()["stubs"]
        assert [s["id"] for s in listed] == ["plan", "stubs-2", "stubs-3"]
        assert _content(root) == MARKDOWN
        httpx.delete(f"{root}/__mock/stubs/plan")
        assert _content(root) != MARKDOWN
        httpx.post(f"{root}/__mock/reset")
        assert _content(root) == MARKDOWN
        httpx.delete(f"{root}/__mock/stubs")
        assert httpx.get(f"{root}/__mock/stubs").json() == {"stubs": []} and _content(root) != MARKDOWN


def test_a_changed_stubs_file_replaces_its_stubs_kept_in_sqlite(mock_server: Server, tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path / 'mock.db'}"
    with mock_server(seed=1, state=state, stubs=_write(tmp_path, STUBS[:1])) as root:
        assert _content(root) == MARKDOWN
    changed = [{**STUBS[0], "respond": {"reply": {"text": "changed"}}}]
    with mock_server(seed=1, state=state, stubs=_write(tmp_path, changed)) as root:
        assert _content(root) == "changed"


@pytest.mark.parametrize(("text", "where"), [
    ("- api: devs-ai\n  operation: createChatCompletion\n  respond:\n    status: 418\n", ":4: stub 1: respond.status"),
    ("- api: devs-ai\n  operation: nope\n", ":2: stub 1: operation"),
    ("- {api: pulze, operation: getConversation}\n- {api: devs-ai, operation: createChatCompletion, "
     "respond: {body: {id: 1}}}\n", ":2: stub 2: respond.body"),
    ("- api: [unclosed\n", ":2: not valid YAML"),
    ("api: devs-ai\n", ":1: a stubs file is a list"),
])
def test_a_bad_stubs_file_names_file_line_and_reason(tmp_path: Path, text: str, where: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        create_app(Settings(stubs=path))
    assert str(raised.value).startswith(f"{path}{where}")


def test_serve_with_a_bad_stubs_file_stops_with_a_readable_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "- api: devs-ai\n  operation: nope\n")
    done = subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--stubs", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"{path}:2: stub 1: operation: devs-ai has no operation 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_stubs_survive_a_restart_with_sqlite(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path / 'mock.db'}"
    with serve(create_app(Settings(seed=1, state=state))) as root:
        stub_id = add_stub(httpx.Client(base_url=root), {**STUBS[0], "id": None, "times": 2})
        assert _content(root) == MARKDOWN
    with serve(create_app(Settings(seed=1, state=state))) as root:
        listed = httpx.get(f"{root}/__mock/stubs").json()["stubs"]
        assert [(s["id"], s["hits"]) for s in listed] == [(stub_id, 1)]
        assert [_content(root) for _ in range(2)][0] == MARKDOWN  # the second use of two
        assert _content(root) != MARKDOWN


def test_instances_on_one_redis_share_stubs_counts_and_scenarios() -> None:
    with redis_server() as url, serve(create_app(Settings(seed=1, state=url))) as first, \
            serve(create_app(Settings(seed=2, state=url))) as second:
        turns = [{**STUBS[0], "id": f"turn-{n}", "scenario": "plan", "state": state, "next": nxt,
                  "respond": {"reply": {"text": text}}}
                 for n, (state, nxt, text) in enumerate([("Started", "asked", "one"), ("asked", "done", "two")])]
        for turn in turns:
            add_stub(httpx.Client(base_url=first), turn)
        assert _content(second) == "one"
        assert _content(first) == "two"
        assert httpx.get(f"{second}/__mock/scenarios").json()["scenarios"] == [{"name": "plan", "state": "done"}]
        assert [s["hits"] for s in httpx.get(f"{first}/__mock/stubs").json()["stubs"]] == [1, 1]
        httpx.delete(f"{second}/__mock/stubs")
        assert httpx.get(f"{first}/__mock/stubs").json()["stubs"] == []


def test_serve_with_workers_and_a_bad_stubs_file_stops_before_the_workers(tmp_path: Path) -> None:
    path = _write(tmp_path, "- api: devs-ai\n  operation: nope\n")
    done = subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--workers", "2", "--state",
                           f"sqlite:///{tmp_path / 'm.db'}", "--stubs", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and f"{path}:2: stub 1: operation" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_worker_answers_a_stub_added_through_one(tmp_path: Path) -> None:
    args = ["--workers", "2", "--seed", "1", "--state", f"sqlite:///{tmp_path / 'mock.db'}"]
    with mock_server_process(args, tmp_path) as server:
        add_stub(httpx.Client(base_url=server.url, timeout=10), {**STUBS[0], "id": "shared", "times": 6})
        answers = [_content(server.url) for _ in range(8)]  # a new connection each: either worker answers
        hits = httpx.get(f"{server.url}/__mock/stubs/shared").json()["hits"]
    assert answers[:6] == [MARKDOWN] * 6 and MARKDOWN not in answers[6:]
    assert hits == 6
