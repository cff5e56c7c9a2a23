"""Any spec streams from its extensions alone: generated SSE events and WebSocket frames valid against their schemas."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import websockets

from mock_server import Settings, create_app
from mock_server.schemas import is_valid
from tests.reference_servers.serving import serve

SPEC = """
openapi: 3.0.3
info: {title: Ticker, version: "1"}
paths:
  /ticks:
    get:
      operationId: streamTicks
      responses:
        "200":
          description: ticks
          content:
            text/event-stream:
              schema: {type: object, properties: {data: {type: string}, event: {type: string}}}
              x-sse:
                data: {$ref: '#/components/schemas/Tick'}
                terminator: END
                events:
                  heartbeat: {type: object, required: [at], properties: {at: {type: string, format: date-time}}}
  /feed:
    get:
      operationId: feed
      x-websocket:
        messages: {$ref: '#/components/schemas/Tick'}
        send: {connect: 2, receive: true}
      responses:
        "101": {description: Switching Protocols}
        "426": {description: Upgrade Required}
components:
  schemas:
    Tick:
      type: object
      required: [symbol, price]
      properties:
        symbol: {type: string, pattern: '^[A-Z]{3}$'}
        price: {type: number, minimum: 0}
"""
TICK = {"type": "object", "required": ["symbol", "price"],
        "properties": {"symbol": {"type": "string", "pattern": "^[A-Z]{3}$"},
                       "price": {"type": "number", "minimum": 0}}}


def test_an_event_stream_of_any_spec_sends_generated_valid_events(tmp_path: Path) -> None:
    spec = tmp_path / "ticker.yaml"
    spec.write_text(SPEC)
    with serve(create_app(Settings(specs=(spec,), seed=2, stream_delay_ms=0))) as root:
        response = httpx.get(f"{root}/ticker/ticks", headers={"Accept": "text/event-stream"}, timeout=10)
        plain = httpx.get(f"{root}/ticker/feed", timeout=10)

        async def frames() -> list[object]:
            async with websockets.connect(root.replace("http", "ws") + "/ticker/feed") as ws:
                got = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
                await ws.send("ping")
                got.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
                return got

        received = asyncio.run(frames())
    blocks = [b for b in response.text.split("\n\n") if b.strip()]
    assert blocks[-1] == "data: END"
    data = [json.loads(b.split("data: ", 1)[1]) for b in blocks[:-1] if not b.startswith("event:")]
    assert len(data) == 3 and all(is_valid(d, TICK) for d in data)
    assert any(b.startswith("event: heartbeat") for b in blocks)
    assert plain.status_code == 426
    assert len(received) == 3 and all(is_valid(f, TICK) for f in received)
