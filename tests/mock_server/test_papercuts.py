"""What a new user trips on: a mistyped `Prefer` control is a 400 that names it (on the fast path, through
Connexion and on a WebSocket handshake alike), and a forced mid-stream failure is reported as a server failure."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from mock_server import Settings, create_app
from mock_server.prefer import parse_prefer
from mock_server.schemas import is_valid
from mock_server.web.app import find_server
from tests.conftest import SPECS
from tests.reference_servers.serving import serve

AUTH = {"Authorization": "Bearer t"}
LIST = "/devs-ai/api/v1/me/ai"

BAD_PREFERENCES = [
    ("code=abc", "code=abc"),
    ("code=1000", "code=1000"),
    ("delay=abc", "delay=abc"),
    ("delay=-5", "delay=-5"),
    ("example=", "example="),
    ("example=nope", "example=nope"),
    ("stream-delay=fast", "stream-delay=fast"),
    ("stream-error=soon", "stream-error=soon"),
    ("code=404, delay=x", "delay=x"),
]


@pytest.fixture(scope="module")
def roots() -> Iterator[tuple[str, str, Any]]:
    """The same spec served with the fast path and without it (everything through Connexion)."""
    def app(fast: bool) -> Any:
        return create_app(Settings(specs=(SPECS / "devs-ai.yaml", SPECS / "coder-chats.yaml"), seed=3,
                                   fast_path=fast))

    fast_app = app(True)
    with serve(fast_app) as fast, serve(app(False)) as slow:
        yield fast, slow, find_server(fast_app)._api_app


@pytest.mark.parametrize(("prefer", "named"), BAD_PREFERENCES)
def test_an_unusable_preference_is_a_400_naming_it_on_both_paths(roots: tuple[str, str, Any], prefer: str,
                                                                  named: str) -> None:
    fast_root, slow_root, fast_path = roots
    served_before = fast_path.served
    fast = httpx.get(fast_root + LIST, headers={**AUTH, "Prefer": prefer})
    slow = httpx.get(slow_root + LIST, headers={**AUTH, "Prefer": prefer})
    assert fast_path.served == served_before + 1  # answered by the fast path, not handed to Connexion
    assert fast.status_code == slow.status_code == 400
    assert fast.content == slow.content
    message = fast.json()["error"]["message"]
    assert f"Prefer: {named}" in message


def test_usable_and_unknown_preferences_still_work(roots: tuple[str, str, Any]) -> None:
    fast_root, _, _ = roots
    forced = httpx.get(fast_root + LIST, headers={**AUTH, "Prefer": "code=401, return=minimal, respond-async"})
    assert forced.status_code == 401  # RFC 7240: preferences the mock does not know are ignored
    assert httpx.get(fast_root + LIST, headers={**AUTH, "Prefer": 'delay="0"'}).status_code == 200
    assert parse_prefer("stream-error=after:3").stream_error_after == 3
    assert parse_prefer("code=404; delay=10") == parse_prefer("code=404, delay=10")


def test_a_websocket_handshake_with_an_unusable_preference_is_refused_with_400(roots: tuple[str, str, Any]) -> None:
    fast_root, _, _ = roots
    url = fast_root.replace("http://", "ws://") + "/coder-chats/api/experimental/chats/watch"

    async def run() -> None:
        headers = {"Coder-Session-Token": "t", "Prefer": "stream-delay=soon"}
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(url, additional_headers=headers):
                pass
        response = refused.value.response
        assert response.status_code == 400
        assert "Prefer: stream-delay=soon" in json.loads(response.body)["message"]

    asyncio.run(run())


def test_a_forced_stream_error_is_a_server_failure_in_the_apis_error_shape(roots: tuple[str, str, Any]) -> None:
    fast_root, _, _ = roots
    spec_error = _devs_schema("Error")
    body = {"model": "m", "messages": [{"role": "user", "content": "Hello there"}], "stream": True}
    headers = {**AUTH, "Prefer": "stream-error=after:2"}
    response = httpx.post(fast_root + "/devs-ai/api/v1/chat/completions", json=body, headers=headers, timeout=10)
    blocks = [block for block in response.text.split("\n\n") if block.strip()]
    assert len(blocks) == 3 and blocks[-1].startswith("event: error\n")
    error = json.loads(blocks[-1].split("data: ", 1)[1])
    assert is_valid(error, spec_error)
    assert error["error"]["code"] == "internal_error"  # not a client error label like bad_request


def _devs_schema(name: str) -> dict[str, Any]:
    from mock_server.loader import load_spec
    from mock_server.schemas import inline_schema

    spec = load_spec(SPECS / "devs-ai.yaml")
    return inline_schema(spec.document["components"]["schemas"][name], spec.lookup)
