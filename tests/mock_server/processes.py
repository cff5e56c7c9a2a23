"""`mock-server serve` as a real subprocess on 127.0.0.1: start, wait for `/__mock/health`, always kill."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["ServerProcess", "free_port", "mock_server_process"]

_STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A running server: its root URL and process (the leader of its own process group)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the server and every worker it forked."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def _wait_ready(server: ServerProcess) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    with httpx.Client(timeout=2.0) as client:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"mock-server exited with {server.process.returncode}: {server.log.read_text()}")
            try:
                if client.get(f"{server.url}/__mock/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"mock-server did not answer /__mock/health: {server.log.read_text()}")
            time.sleep(0.05)  # polling interval, not synchronisation: readiness is the health answer


@contextmanager
def mock_server_process(args: Sequence[str], log_dir: Path, port: int | None = None) -> Iterator[ServerProcess]:
    """Run `python -m mock_server serve --host 127.0.0.1 --port P *args` until the block ends."""
    port = port or free_port()
    log = log_dir / f"mock-server-{port}-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        server.kill()
