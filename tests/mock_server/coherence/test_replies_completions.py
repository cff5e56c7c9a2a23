"""Chat completions agree with the request and add up, read with the official `openai` SDK (plain and streamed)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import openai
import pytest

from mock_server import Settings, create_app
from tests.reference_servers.serving import serve

MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello to Ada"}]


@pytest.fixture(scope="module")
def client() -> Iterator[openai.OpenAI]:
    with serve(create_app(Settings(stream_delay_ms=0))) as root:  # the real clock
        with openai.OpenAI(base_url=f"{root}/devs-ai/api/v1", api_key="t", max_retries=0, timeout=10) as sdk:
            yield sdk


def _words(text: str) -> int:
    return len(text.split())


def test_the_answer_echoes_the_model_and_holds_one_assistant_choice(client: openai.OpenAI) -> None:
    for model in ("my-own-model", "ai_1234"):
        completion = client.chat.completions.create(model=model, messages=MESSAGES)  # type: ignore[arg-type]
        assert completion.model == model
        assert [c.index for c in completion.choices] == [0]
        choice = completion.choices[0]
        assert choice.message.role == "assistant" and choice.message.content
        assert choice.finish_reason == "stop"  # no tool calls, not cut short
        assert not choice.message.tool_calls


def test_created_is_now(client: openai.OpenAI) -> None:
    before = int(time.time())
    completion = client.chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]
    assert before - 2 <= completion.created <= int(time.time()) + 2


def test_usage_is_counted_from_the_texts_and_adds_up(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == sum(_words(m["content"]) for m in MESSAGES)
    assert usage.completion_tokens == _words(completion.choices[0].message.content or "")
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_a_longer_prompt_counts_more_tokens(client: openai.OpenAI) -> None:
    short = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "Hi"}])
    long = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "Hi " * 40}])
    assert short.usage is not None and long.usage is not None
    assert (short.usage.prompt_tokens, long.usage.prompt_tokens) == (1, 40)


def test_every_streamed_chunk_carries_the_model_and_one_token(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(model="stream-model", messages=MESSAGES, stream=True))  # type: ignore[arg-type]
    assert {c.model for c in chunks} == {"stream-model"}
    assert all([ch.index for ch in c.choices] == [0] for c in chunks)
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert all(_words(piece) == 1 for piece in pieces)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert abs(chunks[0].created - time.time()) < 60


def test_the_streamed_text_is_the_plain_text_token_for_token(mock_server: Callable[..., AbstractContextManager[str]]
                                                            ) -> None:
    def ask(stream: bool) -> tuple[str, int]:
        with mock_server(seed=8, stream_delay_ms=0) as root:
            sdk = openai.OpenAI(base_url=f"{root}/devs-ai/api/v1", api_key="t", max_retries=0, timeout=10)
            if not stream:
                plain = sdk.chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]
                assert plain.usage is not None
                return plain.choices[0].message.content or "", plain.usage.completion_tokens
            chunks = [c.choices[0].delta.content for c in sdk.chat.completions.create(
                model="m", messages=MESSAGES, stream=True)]  # type: ignore[arg-type]
            pieces = [p for p in chunks if p]
            return "".join(pieces), len(pieces)

    assert ask(stream=False) == ask(stream=True)
