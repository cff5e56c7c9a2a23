"""`--stream-delay` reaches the settings; the Accept rule that switches a response to an event stream."""

from __future__ import annotations

import pytest

from mock_server.cli import build_parser, settings_from_args
from mock_server.streaming import prefers_event_stream, split_text


def test_stream_delay_is_a_serve_option() -> None:
    args = build_parser().parse_args(["serve", "--stream-delay", "5"])
    assert settings_from_args(args).stream_delay_ms == 5
    assert settings_from_args(build_parser().parse_args(["serve"])).stream_delay_ms == 20


@pytest.mark.parametrize(("accept", "streams"), [
    ("text/event-stream", True),
    ("text/event-stream, application/json", True),
    ("application/json;q=0.5, text/event-stream", True),
    ("application/json, text/event-stream;q=0.5", False),
    ("application/json", False),
    ("*/*", False),
    (None, False),
    ("text/event-stream;q=0", False),
])
def test_accept_prefers_the_event_stream(accept: str | None, streams: bool) -> None:
    assert prefers_event_stream(accept) is streams


@pytest.mark.parametrize("text", ["", "one", "Hello there,  world.\n", "  leading and trailing  "])
def test_pieces_join_back_to_the_text(text: str) -> None:
    assert "".join(split_text(text)) == text
