"""What `contracts proxy` adds to a request: the checks alone, and the round trip through it.

    .venv/bin/python benchmarks/bench_proxy.py [--requests 400]

1. The checks, in process: one typical exchange (a list request with a query parameter and its 200 JSON answer of
   20 conversations) checked by the proxy's validator, and, for comparison, by openapi-core 0.23.
2. The round trip: the pulumi-ai reference server on 127.0.0.1, called directly and through `contracts proxy`
   (a subprocess), one request at a time on a kept-alive connection; p50/p99 of each and the difference.
Figures: docs/contract-testing.md ("contracts proxy", cost).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from contracts.proxy.validation import Validator  # noqa: E402
from contracts.specfile import load_spec_document  # noqa: E402
from tests.reference_servers import pulumi_ai  # noqa: E402
from tests.reference_servers.serving import serve  # noqa: E402

SPEC = REPO / "specs" / "pulumi-ai.yaml"
AUTH = {"Authorization": f"token {pulumi_ai.TOKEN}"}
PATH = "/api/orgs/acme-corp/ai/conversations/jdoe"
CONVERSATION = {"id": "c", "created": "2024-05-14T09:30:00Z", "title": "S3 site", "summary": "A bucket"}
BODY = json.dumps({"conversations": [dict(CONVERSATION, id=f"c{i}") for i in range(20)]}).encode()


def bench_checks(rounds: int) -> None:
    document = load_spec_document(SPEC)
    validator = Validator(document)
    headers = {"authorization": AUTH["Authorization"]}

    def ours() -> None:
        verdict = validator.request("GET", PATH, "page=1&pageSize=20", headers, b"")
        validator.response(verdict, 200, {"content-type": "application/json"}, BODY)

    from openapi_core import OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    raw = dict(document.data, servers=[{"url": "/"}])
    api = OpenAPI.from_dict(raw)
    request = MockRequest("http://proxy", "get", PATH, args={"page": "1", "pageSize": "20"}, headers=AUTH)
    response = MockResponse(BODY, status_code=200, content_type="application/json")

    def core() -> None:
        api.validate_request(request)
        api.validate_response(request, response)

    for name, check in (("contracts proxy checks", ours), ("openapi-core 0.23", core)):
        check()
        started = time.perf_counter()
        for _ in range(rounds):
            check()
        per = (time.perf_counter() - started) / rounds * 1000
        print(f"{name:>24}: {per:.3f} ms per request + response ({rounds} rounds)")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _time(client: httpx.Client, base: str, count: int) -> list[float]:
    samples = []
    for index in range(count):
        started = time.perf_counter()
        response = client.get(f"{base}{PATH}?page=1&pageSize={1 + index % 20}", headers=AUTH)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return samples


def bench_round_trip(count: int) -> None:
    with serve(pulumi_ai.create_app()) as upstream:
        with httpx.Client(trust_env=False, timeout=30) as client:
            for index in range(20):  # something to list
                client.post(f"{upstream}{PATH}", json={"conversation_id": f"conv-{index}"}, headers=AUTH)
        command = [sys.executable, "-m", "contracts", "proxy", "--api", "pulumi-ai", "--upstream", upstream,
                   "--port", "0"]
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            select.select([process.stdout], [], [], 60)
            proxy = process.stdout.readline().split()[2]  # type: ignore[union-attr]
            with httpx.Client(trust_env=False, timeout=30) as client:
                for base in (upstream, proxy):
                    _time(client, base, 50)  # warm up
                direct = _time(client, upstream, count)
                through = _time(client, proxy, count)
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=60)
    (d50, d99), (p50, p99) = _percentiles(direct), _percentiles(through)
    print(f"direct:          p50 {d50:.2f} ms, p99 {d99:.2f} ms ({count} sequential GETs, 20 conversations each)")
    print(f"through proxy:   p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"added by proxy:  p50 {p50 - d50:.2f} ms, p99 {p99 - d99:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    bench_checks(args.rounds)
    bench_round_trip(args.requests)


if __name__ == "__main__":
    main()
