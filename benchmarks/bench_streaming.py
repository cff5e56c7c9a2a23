"""Streaming load on one worker: N concurrent SSE completion streams, then M concurrent WebSocket chat streams.

    .venv/bin/python benchmarks/bench_streaming.py [--sse 500] [--ws 200] [--stream-delay 20] [--ramp-ms 0]

Starts `mock-server serve` (one uvicorn worker, seed 1) on a free port, and prints, per kind: streams completed,
errors, time to first event (p50/p99), events per second over the whole phase, and the server's peak RSS.

- SSE: `POST /devs-ai/api/v1/chat/completions` with `stream: true`; time to first event is from sending the request
  to reading the first `data:` line; a stream is complete when `data: [DONE]` arrives.
- WebSocket: sockets on `/coder-chats/.../chats/{chat}/stream` spread over 10 chats; once all are open, one message
  is posted to each chat. Time to first event is from that post to the socket's first frame; a socket is complete
  when its `status: waiting` frame arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
CHATS = 10
TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _report(kind: str, wanted: int, firsts: list[float], events: int, errors: list[str], wall: float) -> None:
    print(f"{kind}: {len(firsts)}/{wanted} complete, {len(errors)} errors, "
          f"first event p50 {_percentile(firsts, 0.5) * 1000:.1f} ms, p99 {_percentile(firsts, 0.99) * 1000:.1f} ms, "
          f"{events} events in {wall:.2f} s = {events / wall:.0f} events/s")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")


async def _sse(root: str, count: int, ramp: float) -> None:
    """`count` streams, their starts spread evenly over `ramp` seconds.

    A bare asyncio client (one connection per stream, the request written as bytes, lines read until `[DONE]`):
    an httpx client spent as much CPU per stream as the server on these two shared cores, and doubled the
    measured time to first event (p50 448 ms against 246 ms for the same server, 500 at once).
    """
    host, port = root.removeprefix("http://").split(":")
    payload = json.dumps({"model": "m", "messages": [{"role": "user", "content": "Hello"}], "stream": True}).encode()
    request = (f"POST /devs-ai/api/v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer bench\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload
    firsts: list[float] = []
    errors: list[str] = []
    total = 0
    open_now = peak = 0

    async def one(index: int) -> None:
        nonlocal total, open_now, peak
        await asyncio.sleep(ramp * index / count)
        started = time.perf_counter()
        first = None
        open_now += 1
        peak = max(peak, open_now)
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), TIMEOUT)
            writer.write(request)
            status = await asyncio.wait_for(reader.readline(), TIMEOUT)
            while line := await asyncio.wait_for(reader.readline(), TIMEOUT):
                if line.startswith(b"data: "):
                    total += 1
                    first = first if first is not None else time.perf_counter() - started
                    if line.startswith(b"data: [DONE]"):
                        firsts.append(first)
                        break
            else:
                errors.append(f"{status.decode().strip()}: stream ended without [DONE]")
            writer.close()
        except (OSError, TimeoutError) as exc:
            errors.append(type(exc).__name__)
        finally:
            open_now -= 1

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    wall = time.perf_counter() - started
    _report("SSE", count, firsts, total, errors, wall)
    print(f"  peak concurrent streams: {peak}")


async def _ws(root: str, count: int) -> None:
    headers = {"Coder-Session-Token": "bench"}
    async with httpx.AsyncClient(base_url=root, headers=headers, timeout=TIMEOUT) as http:
        chats = [c["id"] for c in (await http.get("/coder-chats/api/experimental/chats")).json()][:CHATS]
        while len(chats) < CHATS:
            created = await http.post("/coder-chats/api/experimental/chats", json={"content": [{"type": "text",
                                                                                                "text": "bench"}]})
            chats.append(created.json()["id"])
        base = root.replace("http://", "ws://") + "/coder-chats/api/experimental/chats"
        opened = [asyncio.Event() for _ in range(count)]
        posted: dict[str, float] = {}
        go = asyncio.Event()
        firsts: list[float] = []
        errors: list[str] = []
        total = 0

        async def one(index: int) -> None:
            nonlocal total
            chat = chats[index % len(chats)]
            try:
                async with websockets.connect(f"{base}/{chat}/stream", additional_headers=headers,
                                              open_timeout=TIMEOUT, max_queue=None) as ws:
                    opened[index].set()
                    await go.wait()
                    first = None
                    while True:
                        frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
                        total += 1
                        first = first if first is not None else time.perf_counter() - posted[chat]
                        if frame.get("type") == "status" and frame["status"]["status"] == "waiting":
                            firsts.append(first)
                            return
            except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                opened[index].set()
                errors.append(type(exc).__name__)

        tasks = [asyncio.create_task(one(i)) for i in range(count)]
        await asyncio.gather(*(event.wait() for event in opened))
        started = time.perf_counter()
        go.set()
        for chat in chats:
            posted[chat] = time.perf_counter()
            await http.post(f"/coder-chats/api/experimental/chats/{chat}/messages",
                            json={"content": [{"type": "text", "text": "go"}]})
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - started
    _report("WebSocket", count, firsts, total, errors, wall)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sse", type=int, default=500)
    parser.add_argument("--ws", type=int, default=200)
    parser.add_argument("--stream-delay", type=int, default=20)
    parser.add_argument("--ramp-ms", type=int, default=0, help="spread the SSE starts over this many ms")
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--seed", "1",
         "--stream-delay", str(args.stream_delay), "--log-level", "error"],
        cwd=ROOT, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{root}/__mock/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the mock server did not start", file=sys.stderr)
                    return 2
                time.sleep(0.1)
        print(f"one worker, --stream-delay {args.stream_delay} ms, {os.cpu_count()} cores (client on the same host)")
        if args.sse:
            asyncio.run(_sse(root, args.sse, args.ramp_ms / 1000))
        if args.ws:
            asyncio.run(_ws(root, args.ws))
        print(f"server peak RSS: {_peak_rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
