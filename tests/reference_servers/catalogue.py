"""Which reference server runs which fault, with which bounded run options, and which checks must catch it.

Shared by tests/contracts/run/test_fault_detection.py and detection_table.py, so the table in
docs/contract-testing.md measures exactly what the tests assert.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from contracts.runner import RunOptions, RunResult, Violation, run_contracts
from tests.reference_servers import coder_chats, notes, project_ai_chat, pulumi_ai, streams
from tests.reference_servers.serving import serve

__all__ = [
    "MAX_EXAMPLES",
    "SCENARIOS",
    "SEED",
    "SERVERS",
    "Outcome",
    "Scenario",
    "Server",
    "run_scenario",
]

REPO = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 5
SEED = 1



@dataclass(frozen=True, slots=True)
class Server:
    """A reference server: its app factory, its spec, the credentials it accepts and the operations it has."""

    name: str
    create_app: Callable[..., Any]
    spec: Path
    headers: Mapping[str, str]
    prefix: str = ""
    operations: str | None = None


SERVERS: dict[str, Server] = {
    server.name: server
    for server in (
        Server(
            "pulumi-ai",
            pulumi_ai.create_app,
            REPO / "specs" / "pulumi-ai.yaml",
            {"Authorization": f"token {pulumi_ai.TOKEN}"},
        ),
        Server(
            "project-ai-chat",
            project_ai_chat.create_app,
            REPO / "specs" / "project-ai-chat.yaml",
            project_ai_chat.HEADERS,
        ),
        Server(
            "coder-chats",
            coder_chats.create_app,
            REPO / "specs" / "coder-chats.yaml",
            coder_chats.HEADERS,
            operations=coder_chats.CORE_OPERATIONS,
        ),
        Server("notes", notes.create_app, notes.SPEC, {"Authorization": f"Bearer {notes.TOKEN}"}, prefix=notes.PREFIX),
        Server("streams", streams.create_app, streams.SPEC, {"Authorization": f"Bearer {streams.TOKEN}"},
               prefix=streams.PREFIX),
    )
}


@dataclass(frozen=True, slots=True)
class Scenario:
    """One fault on one server; `expected` are the checks that catch it (empty: the spec cannot tell).

    `assumption`: the fault breaks only a constraint the spec decided (`x-decision` on `decision`), so the run
    reports it as an assumption contradicted (a warning, exit 0), and as a failure with `--strict`."""

    server: str
    fault: str
    expected: frozenset[str]
    note: str = ""
    app_options: Mapping[str, Any] = field(default_factory=dict)
    assumption: bool = False
    decision: str = ""

    @property
    def id(self) -> str:
        return f"{self.server}:{self.fault}"


def _scenario(server: str, fault: str, *checks: str, **kwargs: Any) -> Scenario:
    return Scenario(server, fault, frozenset(checks), **kwargs)


SCENARIOS: tuple[Scenario, ...] = (
    _scenario("pulumi-ai", "wrong_type", "response_schema_conformance"),
    _scenario("pulumi-ai", "missing_field", "response_schema_conformance"),
    _scenario("pulumi-ai", "undocumented_status", "status_code_conformance"),
    _scenario("pulumi-ai", "server_error_on_edge", "not_a_server_error"),
    _scenario("pulumi-ai", "accepts_invalid", "negative_data_rejection"),
    _scenario("pulumi-ai", "accepts_decided", "negative_data_rejection", assumption=True,
              decision="/components/parameters/pageSize"),
    _scenario("pulumi-ai", "rejects_valid", "positive_data_acceptance"),
    _scenario("pulumi-ai", "auth_not_enforced", "ignored_auth"),
    _scenario("pulumi-ai", "create_not_persisted", "create_read_round_trip", "ensure_resource_availability"),
    _scenario("pulumi-ai", "wrong_content_type", "content_type_conformance"),
    _scenario("pulumi-ai", "field_changed", "create_read_round_trip"),
    _scenario("project-ai-chat", "missing_header", "response_headers_conformance"),
    _scenario("project-ai-chat", "server_error_on_edge", "not_a_server_error"),
    _scenario("project-ai-chat", "wrong_type", "response_schema_conformance"),
    _scenario("project-ai-chat", "auth_not_enforced", "ignored_auth"),
    _scenario("coder-chats", "field_changed", "create_read_round_trip"),
    _scenario("coder-chats", "wrong_type", "response_schema_conformance"),
    _scenario(
        "coder-chats",
        "missing_field",
        note="the spec declares no required response field (Chat has none), so a missing `title` conforms",
    ),
    _scenario("coder-chats", "undocumented_status", "status_code_conformance"),
    _scenario("coder-chats", "auth_not_enforced", "ignored_auth"),
    _scenario("coder-chats", "create_not_persisted", "create_read_round_trip"),
    _scenario("coder-chats", "accepts_invalid", "negative_data_rejection"),
    _scenario("coder-chats", "rejects_valid", "positive_data_acceptance"),
    _scenario("notes", "missing_header", "response_headers_conformance", app_options={"rate_limit": 3}),
    _scenario("streams", "chunk_missing_field", "stream_event_schema"),
    _scenario("streams", "no_terminator", "stream_terminator"),
    _scenario("streams", "malformed_frame", "stream_malformed_frame"),
    _scenario("streams", "undocumented_kind", "stream_event_kind"),
    _scenario("streams", "endless_stream", "stream_unbounded"),
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one scenario's run found."""

    scenario: Scenario
    result: RunResult
    wall_time: float

    @property
    def found(self) -> frozenset[str]:
        return frozenset(violation.check for violation in self._reported)

    @property
    def detected(self) -> bool:
        return bool(self.scenario.expected & self.found)

    @property
    def time_to_detection(self) -> float | None:
        times = [v.found_after for v in self._reported if v.check in self.scenario.expected]
        return min(times) if times else None

    @property
    def _reported(self) -> tuple[Violation, ...]:
        """Violations, or for an assumption scenario the assumptions contradicted."""
        return self.result.assumptions if self.scenario.assumption else self.result.violations


def run_options(server: Server, base_url: str, **overrides: Any) -> RunOptions:
    """The bounded run used for every scenario: few examples, a fixed seed, all phases."""
    options = RunOptions(
        spec=server.spec,
        base_url=base_url,
        headers=server.headers,
        operations=server.operations,
        max_examples=MAX_EXAMPLES,
        seed=SEED,
    )
    return replace(options, **overrides)


def run_scenario(scenario: Scenario, **overrides: Any) -> Outcome:
    """Serve the faulty server, run the contract tests against it (with `overrides` of the run options, e.g.
    `strict=True`), and time the run."""
    server = SERVERS[scenario.server]
    with serve(server.create_app(scenario.fault, **scenario.app_options)) as root:
        started = time.perf_counter()
        result = run_contracts(run_options(server, root + server.prefix, spec=server.spec, **overrides))
        return Outcome(scenario, result, time.perf_counter() - started)
