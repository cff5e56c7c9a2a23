"""The README's documented examples, run against a running mock: what it shows a user must work as it says.

Each check reads the README itself (its code blocks and tables), so an example edited there is checked as edited:
the curl commands (with their `# -> status` expectations), the vendor-to-mock URL mapping, the `fetch` and
`openai` snippets, the admin endpoint table, the API table, the `Prefer` controls and the `serve` options.
The documented origin `http://127.0.0.1:4010` is replaced by the test server's.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from httpx_sse import connect_sse

from mock_server import Settings, create_app
from mock_server.cli import build_parser
from mock_server.prefer import parse_prefer
from tests.conftest import REPO, SPECS
from tests.curl_commands import parse_curl
from tests.reference_servers.serving import serve
from tests.spec_checked_client import credentials_for

README = (REPO / "README.md").read_text()
ORIGIN = "http://127.0.0.1:4010"


def _blocks(language: str | None = None) -> list[str]:
    """The fenced code blocks (optionally only those of one language)."""
    found = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.M | re.S)
    return [text for lang, text in found if language is None or lang == language]


def _curl_examples() -> list[tuple[str, str]]:
    """(command, the `# -> ...` expectation that follows it) for every curl command in a code block."""
    examples = []
    for block in _blocks(""):
        lines = block.splitlines()
        for index, line in enumerate(lines):
            if not line.startswith("curl "):
                continue
            end = index
            while lines[end].endswith("\\"):
                end += 1
            expectation = lines[end + 1] if end + 1 < len(lines) and lines[end + 1].startswith("#") else ""
            examples.append(("\n".join(lines[index:end + 1]), expectation))
    return examples


def _credentials(api: str) -> dict[str, str]:
    return credentials_for(yaml.safe_load((SPECS / f"{api}.yaml").read_text()))


def test_curl_examples_answer_as_documented(mock_root: str) -> None:
    examples = _curl_examples()
    assert examples, "no curl example found in the README's code blocks"
    for command, expectation in examples:
        response = parse_curl(command).send(ORIGIN, mock_root)
        expected = re.search(r"->\s*(\d{3})", expectation)
        assert expected is not None, f"say what this example answers (# -> STATUS ...): {command}"
        assert response.status_code == int(expected.group(1)), (command, response.text)
        for header in re.findall(r"with ([A-Z][\w-]+)", expectation):
            assert header in response.headers, (command, header)
        for key, value in re.findall(r'"(\w+)":("[^"]*"|\d+)', expectation):
            assert response.json()[key] == json.loads(value), (command, key)


def test_vendor_urls_map_to_working_mock_urls(mock_root: str) -> None:
    mapped = re.findall(r"^(https://\S+)\s+->\s+(http://127\.0\.0\.1:4010/(\S+))$", README, flags=re.M)
    assert len(mapped) >= 2
    for vendor, mock, path in mapped:
        api = path.split("/")[0]
        assert vendor.split("/", 3)[3] == path.split("/", 1)[1]  # only the origin changes
        response = httpx.get(mock.replace(ORIGIN, mock_root), headers=_credentials(api))
        assert response.status_code == 200, (mock, response.text)


def test_the_vite_fetch_example_works(mock_root: str) -> None:
    block = next(b for b in _blocks("js") if "VITE_API_ORIGIN" in b)
    origin = re.search(r"VITE_API_ORIGIN=(\S+)", block)
    path = re.search(r"\$\{import\.meta\.env\.VITE_API_ORIGIN\}(/[^`]+)`", block)
    headers = dict(re.findall(r'(\w+): "([^"]+)"', block))
    assert origin and path and headers
    response = httpx.get(origin.group(1).replace(ORIGIN, mock_root) + path.group(1), headers=headers)
    assert response.status_code == 200 and isinstance(response.json()["data"], list)


def test_the_streaming_fetch_example_gets_the_events_it_handles(mock_root: str) -> None:
    block = next(b for b in _blocks("js") if "sendMessage" in b)
    root = re.search(r'const root = "([^"]+)"', block).group(1).replace(ORIGIN, mock_root)  # type: ignore[union-attr]
    headers_text = re.search(r"const headers = \{(.*?)\};", block).group(1)  # type: ignore[union-attr]
    headers = {name.strip('"'): value for name, value in re.findall(r'("[^"]+"|\w+): "([^"]+)"', headers_text)}
    handled = set(re.findall(r'event === "([\w.]+)"', block))
    assert re.search(r"fetch\(`\$\{root\}/chats/\$\{chatId\}`", block) and 'method: "POST"' in block
    with httpx.Client(base_url=root, headers=headers, timeout=10) as client:
        chat = client.get("/me/chats").json()["data"][0]["id"]

        def events(prompt: str, extra: dict[str, str] | None = None) -> list[tuple[str, Any]]:
            body = {"date": "2024-01-15T10:30:00.000Z", "prompt": prompt}
            with connect_sse(client, "POST", f"/chats/{chat}", json=body, headers=extra or {}) as source:
                assert source.response.status_code == 200
                return [(event.event, json.loads(event.data)) for event in source.iter_sse()]

        asked = events("Which region should I use?")
        assert {name for name, _ in asked} <= handled
        assert {"message.delta", "tool.call", "done"} <= {name for name, _ in asked}
        assert all(isinstance(data["delta"], str) for name, data in asked if name == "message.delta")
        reply = asked[-1][1]
        stored = client.get(f"/chats/{chat}").json()["messages"]
        assert reply in stored  # "done" carries the stored message
        failed = events("Hello", {"Prefer": "stream-error=after:2"})
        assert failed[-1][0] == "error" and failed[-1][0] in handled
        assert isinstance(failed[-1][1]["error"]["message"], str)


def test_the_openai_sdk_example_prints_a_streamed_reply(mock_root: str) -> None:
    block = next(b for b in _blocks("python") if "from openai import OpenAI" in b)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(block.replace(ORIGIN, mock_root), {})  # the README's code as written, against the test server
    assert output.getvalue().strip()


@pytest.fixture(scope="module")
def own_root() -> Iterator[str]:
    """A server of its own: the admin checks reset and replace its state."""
    with serve(create_app(Settings(specs=(SPECS / "pulze.yaml",), seed=1))) as root:
        yield root


def test_the_admin_table_lists_every_admin_endpoint_and_each_answers(own_root: str) -> None:
    first_cells = re.findall(r"^\| (`[^|]+`)[^|]* \|", README, flags=re.M)
    calls = [call for cell in first_cells for call in re.findall(r"`(GET|POST|PUT|DELETE) (/__mock/[\w/{}]*)", cell)]
    documented = {path for _, path in calls}
    served = {endpoint["path"] for endpoint in httpx.get(own_root + "/__mock/").json()["endpoints"]} - {"/"}
    assert documented == served
    exported = httpx.get(own_root + "/__mock/state").json()
    stub = {"api": "pulze", "operation": "getConversation"}
    bodies = {("PUT", "/__mock/state"): exported, ("POST", "/__mock/stubs"): stub}
    for method, path in calls:
        body = bodies.get((method, path))
        if "{id}" in path:  # a stub of its own (an earlier call may have deleted every stub)
            path = path.replace("{id}", httpx.post(own_root + "/__mock/stubs", json=stub).json()["id"])
        response = httpx.request(method, own_root + path, content=json.dumps(body) if body is not None else None)
        assert response.is_success, (method, path, response.text)


def test_the_api_table_matches_what_is_served(mock_root: str) -> None:
    rows = re.findall(r"^\|[^|]+\| `specs/([\w-]+)\.yaml` \| `(/[\w-]+)` \|[^|]+\| (\d+) \|$", README, flags=re.M)
    served = {api["name"]: api for api in httpx.get(mock_root + "/").json()["apis"]}
    assert sorted(name for name, _, _ in rows) == sorted(served)
    for name, mounted, operations in rows:
        assert served[name]["base_url"].startswith(mounted) and served[name]["operations"] == int(operations)


def test_every_documented_prefer_control_is_one_the_mock_reads() -> None:
    controls = set(re.findall(r"Prefer: ([\w-]+)=", README))
    assert {"code", "example", "delay", "stream-delay", "stream-error"} <= controls
    for control in controls:
        problem = parse_prefer(f"{control}=").problem  # a known control without a value is named as unusable
        assert problem is not None and f"Prefer: {control}=" in problem, control


def test_the_options_paragraph_names_every_serve_option() -> None:
    paragraph = README.split("### `mock-server serve` options", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"(--[\w-]+)", paragraph))
    serve = next(a for a in build_parser()._subparsers._group_actions[0].choices.values()  # type: ignore[union-attr]
                 if a.prog.endswith("serve"))
    options = {opt for action in serve._actions for opt in action.option_strings if opt.startswith("--")}
    assert documented == options - {"--help"}
