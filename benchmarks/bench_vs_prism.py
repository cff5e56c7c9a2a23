"""Our mock server against Stoplight Prism on one spec, same machine, same load (wrk); then list cost at 1M items.

    .venv/bin/python benchmarks/bench_vs_prism.py [--duration 5] [--skip-million] [--items 1000000] [--stubs 100]

Installs what it needs when missing: Prism 5 from npm into benchmarks/.node/, wrk with apt-get.
Prints one table per server setup with requests/s, p50/p99 latency, errors, peak RSS and start-up time, and the
ratio ours/Prism per figure. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "benchmarks" / ".node"
PRISM = NODE_DIR / "node_modules" / ".bin" / "prism"
SPEC = ROOT / "specs" / "devs-ai.yaml"
NOTES = ROOT / "tests" / "fixtures" / "specs" / "notes.yaml"
AUTH = {"Authorization": "Bearer bench"}
VALID_AI = {"src": "https://example.com/a.png", "name": "Bench", "description": "A benchmark AI",
            "instructions": "Answer briefly."}
INVALID_AI = {"src": 1, "name": ["not", "a", "string"]}
CONNECTIONS = (1, 32)


# -- tools -----------------------------------------------------------------------------------------------------
def ensure_tools() -> None:
    if not PRISM.exists():
        print("installing @stoplight/prism-cli@5 into benchmarks/.node/ ...", flush=True)
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR),
                        "@stoplight/prism-cli@5"], check=True, stdout=subprocess.DEVNULL)
    if shutil.which("wrk") is None:
        print("installing wrk (apt-get) ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian package wrk); install it and run again")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- servers ---------------------------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    url: str  # base URL of the API
    process: subprocess.Popen[bytes]
    startup_s: float = 0.0
    peak_rss_mb: float = 0.0

    def sample_rss(self) -> None:
        self.peak_rss_mb = max(self.peak_rss_mb, group_peak_rss_mb(self.process.pid))

    def stop(self) -> None:
        self.sample_rss()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def group_peak_rss_mb(pgid: int) -> float:
    """Sum of the peak resident sizes (VmHWM) of every process in the server's process group."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", (entry / "status").read_text())
        except (OSError, IndexError, ValueError):
            continue
        total_kb += int(match.group(1)) if match else 0
    return total_kb / 1024


def launch(name: str, command: list[str], base: str, probe: str, timeout: float = 60.0,
           headers: dict[str, str] | None = None) -> Server:
    """Start a server in its own process group; start-up = launch until the first 200 on `probe`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                               start_new_session=True)
    with httpx.Client(timeout=2.0, headers=headers or AUTH) as client:
        while True:
            try:
                if client.get(base + probe).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.perf_counter() - started > timeout:
                raise RuntimeError(f"{name} did not start: {command}")
            time.sleep(0.01)
    server = Server(name, base, process, startup_s=time.perf_counter() - started)
    server.sample_rss()
    return server


def ours(workers: int, specs: list[Path] | None = None, state: str = "memory", stubs: Path | None = None) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--seed", "1",
               "--state", state, "--workers", str(workers)]
    if specs:
        command += ["--specs", *map(str, specs)]
    if stubs is not None:
        command += ["--stubs", str(stubs)]
    name = f"ours ({workers} worker{'s' if workers > 1 else ''}{', stubs' if stubs else ''})"
    return launch(name, command, f"http://127.0.0.1:{port}/devs-ai", "/api/v1/me/ai")


def prism() -> Server:
    port = free_port()
    command = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)]
    return launch("prism", command, f"http://127.0.0.1:{port}", "/api/v1/me/ai")


# -- load ------------------------------------------------------------------------------------------------------
@dataclass
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: set[int] = field(default_factory=set)


_LUA = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["{auth_name}"] = "{auth}"
"""


def wrk(url: str, method: str, body: object | None, connections: int, duration: int, expect_ok: bool,
        auth: tuple[str, str] = ("Authorization", AUTH["Authorization"])) -> Figures:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA.format(method=method, body=json.dumps(json.dumps(body)) if body is not None else "nil",
                                 auth_name=auth[0], auth=auth[1]))
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name, url],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return Figures(rps, p50, p99, socket_errors + (non_2xx if expect_ok else 0))


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def workloads(server: Server, item_id: str) -> list[tuple[str, str, str, object | None, bool]]:
    base = server.url + "/api/v1"
    return [
        ("GET one item", f"{base}/ai/{item_id}", "GET", None, True),
        ("GET a list page", f"{base}/me/ai", "GET", None, True),
        ("POST invalid body", f"{base}/ai", "POST", INVALID_AI, False),
        ("POST valid create", f"{base}/ai", "POST", VALID_AI, True),
    ]


def drive(pairs: list[tuple[Server, str]], duration: int) -> list[dict[tuple[str, int], Figures]]:
    """Each (workload, connections) on every server in turn, back to back: a neighbour's burst or a drift of the
    shared machine then weighs on both sides of a ratio alike. One result table per (server, item id) pair."""
    results: list[dict[tuple[str, int], Figures]] = [{} for _ in pairs]
    plans = [workloads(server, item_id) for server, item_id in pairs]
    with httpx.Client(headers=AUTH, timeout=10) as client:
        for index in range(len(plans[0])):
            for connections in CONNECTIONS:
                for (server, _), plan, table in zip(pairs, plans, results, strict=True):
                    label, url, method, body, ok = plan[index]
                    status = client.request(method, url, json=body).status_code
                    figures = wrk(url, method, body, connections, duration, ok)
                    figures.statuses = {status}
                    table[(label, connections)] = figures
                    server.sample_rss()
    return results


# -- report ----------------------------------------------------------------------------------------------------
def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def report(ours_server: Server, ours_results: dict[tuple[str, int], Figures], prism_server: Server,
           prism_results: dict[tuple[str, int], Figures]) -> None:
    print(f"\n## {ours_server.name} vs prism ({SPEC.name})")
    print(f"start-up to first good response: ours {ours_server.startup_s:.2f} s, prism {prism_server.startup_s:.2f} s"
          f" ({ratio(ours_server.startup_s, prism_server.startup_s)})")
    print(f"peak RSS: ours {ours_server.peak_rss_mb:.0f} MB, prism {prism_server.peak_rss_mb:.0f} MB"
          f" ({ratio(ours_server.peak_rss_mb, prism_server.peak_rss_mb)})")
    print("| workload | conns | ours req/s | prism req/s | ratio | ours p50 | prism p50 | ours p99 | prism p99 "
          "| p99 ratio | errors ours/prism | status ours/prism |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for (label, connections), mine in ours_results.items():
        theirs = prism_results[(label, connections)]
        print(f"| {label} | {connections} | {mine.rps:,.0f} | {theirs.rps:,.0f} | {ratio(mine.rps, theirs.rps)} "
              f"| {mine.p50_ms:.2f} | {theirs.p50_ms:.2f} | {mine.p99_ms:.2f} | {theirs.p99_ms:.2f} "
              f"| {ratio(mine.p99_ms, theirs.p99_ms)} | {mine.errors}/{theirs.errors} "
              f"| {'/'.join(map(str, sorted(mine.statuses)))}/{'/'.join(map(str, sorted(theirs.statuses)))} |")


def all_specs_startup() -> None:
    print("\n## all five specs, one worker")
    for attempt in range(3):
        server = ours(1, specs=None)
        server.stop()
        print(f"run {attempt + 1}: start-up {server.startup_s:.2f} s, peak RSS {server.peak_rss_mb:.0f} MB")


# -- a page from a million items ---------------------------------------------------------------------------------
def million(items: int, duration: int, redis_url: str | None, backends: tuple[str, ...]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from fill_store import fill, time_pages

    print(f"\n## a page of 20 from an empty store and from {items:,} items")
    print("store level (mean of 200 calls of list(offset=0, limit=20)):")
    print(f"| backend | empty | 100 items | {items:,} items | {items:,} items, scoped (1/1000 of them) |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"memory": "memory", "sqlite": f"sqlite:///{tmp}/big.db"}
        urls = {k: v for k, v in urls.items() if k in backends}
        if redis_url:
            urls["redis"] = f"{redis_url}?prefix=bench"
        for backend, url in urls.items():
            if backend == "sqlite":
                asyncio.run(fill(url.replace("big.db", "empty.db"), 0))
            empty = time_pages(url.replace("big.db", "empty.db"), scoped=False)
            asyncio.run(fill(url, 100))
            small = time_pages(url, scoped=False)
            asyncio.run(fill(url, items))
            full, scoped = time_pages(url, scoped=False), time_pages(url, scoped=True)
            print(f"| {backend} | {empty * 1e6:.0f} µs | {small * 1e6:.0f} µs | {full * 1e6:.0f} µs "
                  f"| {scoped * 1e6:.0f} µs |", flush=True)
        print("\nHTTP, SQLite state, GET /notes?limit=20 (one worker, 1 connection):")
        asyncio.run(fill(f"sqlite:///{tmp}/small.db", 100))
        if "sqlite" not in urls:
            asyncio.run(fill(f"sqlite:///{tmp}/big.db", items))
        for label, db in (("empty", f"{tmp}/empty.db"), ("100 items", f"{tmp}/small.db"),
                          (f"{items:,} items", f"{tmp}/big.db")):
            port = free_port()
            command = [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--specs", str(NOTES),
                       "--seed-items", "0", "--state", f"sqlite:///{db}"]
            server = launch(f"ours sqlite {label}", command, f"http://127.0.0.1:{port}/notes",
                            "/notes?limit=20", headers={"X-Api-Key": "bench"})
            try:
                figures = wrk(f"{server.url}/notes?limit=20&offset=0", "GET", None, 1, duration, True,
                              auth=("X-Api-Key", "bench"))
            finally:
                server.stop()
            print(f"{label}: {figures.rps:,.0f} req/s, p50 {figures.p50_ms:.2f} ms, p99 {figures.p99_ms:.2f} ms, "
                  f"errors {figures.errors}")


def stubs_file(count: int) -> Path:
    """A stubs file of `count` stubs on operations the workloads do not call (chat replies matched by prompt): what
    registered stubs cost the requests that none of them answers."""
    operations = ("createChatCompletion", "sendChatMessage")
    stubs = [{"api": SPEC.stem, "operation": operations[n % 2], "match": {"prompt": {"contains": f"bench-{n}"}},
              "respond": {"reply": {"text": f"Scripted reply {n}."}}} for n in range(count)]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as out:
        json.dump(stubs, out)  # JSON is YAML
    return Path(out.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per workload and connection count")
    parser.add_argument("--items", type=int, default=1_000_000, help="items for the list-cost part")
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--only-million", action="store_true", help="skip the comparison with Prism")
    parser.add_argument("--backends", default="memory,sqlite", help="backends for the list-cost part")
    parser.add_argument("--redis", default=None, help="redis://127.0.0.1:6379/0 to include Redis in the list-cost part")
    parser.add_argument("--stubs", type=int, default=0, metavar="N",
                        help="serve ours with N stubs registered on other operations (docs/stubs.md)")
    args = parser.parse_args()
    ensure_tools()
    print(f"machine: {os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}")
    if not args.only_million:
        compare(args.duration, stubs_file(args.stubs) if args.stubs else None)
    if not args.skip_million:
        million(args.items, args.duration, args.redis, tuple(args.backends.split(",")))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


def compare(duration: int, stubs: Path | None = None) -> None:
    """Ours with one, then two workers, each side by side with Prism on the same workloads (with the stubs file, if
    any): every figure pair measured back to back."""
    prism_server = prism()
    try:
        for workers in (1, 2):
            server = ours(workers, specs=[SPEC], stubs=stubs)
            try:
                with httpx.Client(headers=AUTH) as client:
                    item_id = client.get(f"{server.url}/api/v1/me/ai").json()["data"][0]["id"]
                results, prism_results = drive(
                    [(server, item_id), (prism_server, "c4647159-c324-4985-9b81-0e766ec9d286")], duration)
            finally:
                server.stop()
            report(server, results, prism_server, prism_results)
    finally:
        prism_server.stop()
    all_specs_startup()


if __name__ == "__main__":
    main()
