"""Property-based contract runs of one spec against a running server: the only entry into Schemathesis.

`run_contracts(RunOptions(...))` loads the spec, probes the server, runs Schemathesis' engine (its phases, default
checks, link-based stateful testing and our `contracts.checks`) and returns a `RunResult`: per operation the number
of cases tried and the violations found, plus the run as JUnit XML (written by Schemathesis' own JUnit writer).
Secrets (credential header values) are replaced by `[Filtered]` in everything the result holds.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import schemathesis
import yaml
from schemathesis.config import ConfigError, SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.engine import StopReason, events, from_schema
from schemathesis.engine.statistic import Statistic
from schemathesis.errors import LoaderError, SchemathesisError
from schemathesis.reporting.junitxml import JunitXmlWriter
from schemathesis.reporting.recorders import scenario_records

from contracts.checks import register_checks
from contracts.errors import RunError, ServerUnreachableError, SpecLoadError, UsageError
from contracts.streams import StreamLimits, StreamOutcome, check_streams

__all__ = [
    "PHASES",
    "READ_ONLY_METHODS",
    "REDACTED",
    "OperationOutcome",
    "RunOptions",
    "RunResult",
    "Violation",
    "credential_headers",
    "run_contracts",
]

PHASES: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")
READ_ONLY_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS"})
REDACTED = "[Filtered]"
# Header values that are never secret, so the report keeps them readable.
_PUBLIC_HEADERS = frozenset({"accept", "accept-language", "content-type", "user-agent"})
_MIN_SECRET_LENGTH = 4
_BODY_EXCERPT = 300


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What to test, where, and how hard; the defaults match `contracts run` without options."""

    spec: Path
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str | None = None
    read_only: bool = False
    operations: str | None = None
    max_examples: int = 25
    seed: int | None = None
    workers: int = 1
    phases: tuple[str, ...] = PHASES
    rate_limit: str | None = None
    request_timeout: float = 10.0
    streams: bool = True


@dataclass(frozen=True, slots=True)
class Violation:
    """One kind of contract violation found on one operation, with its first reproduction."""

    operation: str
    check: str
    title: str
    message: str
    reproduction: str
    status: int | None
    body: str
    occurrences: int = 1
    found_after: float = 0.0


@dataclass(frozen=True, slots=True)
class OperationOutcome:
    """How many cases an operation was sent and what they revealed."""

    label: str
    cases: int
    violations: tuple[Violation, ...] = ()


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything a contract run found; `exit_code` is 0 when the server kept the contract, else 1."""

    spec: str
    base_url: str
    seed: int
    operations: tuple[OperationOutcome, ...]
    errors: tuple[str, ...]
    skipped: tuple[str, ...]
    elapsed: float
    junit_xml: str

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(violation for outcome in self.operations for violation in outcome.violations)

    @property
    def passed(self) -> bool:
        return not self.violations and not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


def run_contracts(options: RunOptions) -> RunResult:
    """Run Schemathesis against `options.base_url` and collect what it finds.

    Raises `UsageError`/`SpecLoadError` for bad options or an unreadable spec, `ServerUnreachableError` when the
    server does not answer, and `RunError` when the engine stops with an internal error.
    """
    _validate(options)
    raw = _load_raw(options.spec)
    headers = {**options.headers, **(credential_headers(raw, options.token) if options.token else {})}
    redact = _Redactor(_secrets(headers, options.token))
    config = _config(options, headers)
    schema = _load_schema(options.spec, config)
    schema, skipped = _select(schema, options)
    labels = [operation.label for operation in _operations(schema)]
    if not labels:
        raise UsageError(f"no operation of {options.spec} matches the selection (--operations / --read-only)")
    _probe(options.base_url, options.request_timeout)
    register_checks()
    collector = _Collector(labels, redact, config)
    for event in from_schema(schema).execute():
        collector.handle(event)
    result = collector.result(str(options.spec), options.base_url, config.seed, tuple(skipped))
    if not options.streams:
        return result
    selected = re.compile(options.operations) if options.operations is not None else None
    started = time.perf_counter()
    outcomes = check_streams(raw, options.base_url, headers, StreamLimits(request_timeout=options.request_timeout),
                             options.read_only,
                             (lambda op_id, path: bool(selected.search(op_id) or selected.search(path)))
                             if selected is not None else None)
    return _with_streams(result, outcomes, redact, result.elapsed + time.perf_counter() - started)


def credential_headers(raw: Mapping[str, Any], token: str) -> dict[str, str]:
    """The header carrying `token` as the spec's security scheme wants it.

    The scheme is the first one named by the top-level `security`, else the first in `components.securitySchemes`.
    `http`/`bearer`, `oauth2` and `openIdConnect` send `Authorization: Bearer <token>`; an `apiKey` in a header sends
    the token as is (put any prefix such as `token ` in the value, or use a plain header instead).
    """
    schemes = raw.get("components", {}).get("securitySchemes", {})
    names = [name for requirement in raw.get("security", []) for name in requirement] or list(schemes)
    if not names or names[0] not in schemes:
        raise UsageError("the spec declares no security scheme to send the token with; pass it as a header instead")
    scheme = schemes[names[0]]
    kind = scheme.get("type")
    if kind == "apiKey" and scheme.get("in") == "header":
        return {str(scheme["name"]): token}
    if (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer") or kind in ("oauth2", "openIdConnect"):
        return {"Authorization": f"Bearer {token}"}
    raise UsageError(f"security scheme {names[0]!r} ({kind}) cannot take a token from the environment; use a header")


def _validate(options: RunOptions) -> None:
    unknown = sorted(set(options.phases) - set(PHASES))
    if unknown or not options.phases:
        raise UsageError(f"unknown phases {unknown}; choose from {', '.join(PHASES)}")
    if not re.match(r"^https?://[^/\s]+", options.base_url):
        raise UsageError(f"--base-url must be an http(s) URL, got {options.base_url!r}")
    if options.max_examples < 1 or options.workers < 1 or options.request_timeout <= 0:
        raise UsageError("--max-examples, --workers and --request-timeout must be positive")
    if options.operations is not None:
        try:
            re.compile(options.operations)
        except re.error as exc:
            raise UsageError(f"--operations is not a valid regular expression: {exc}") from exc


def _load_raw(spec: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(spec.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecLoadError(f"cannot read spec {spec}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise SpecLoadError(f"spec {spec} is not valid YAML/JSON: {exc}") from exc
    if not isinstance(raw, dict) or "paths" not in raw:
        raise SpecLoadError(f"spec {spec} is not an OpenAPI document")
    return raw


def _config(options: RunOptions, headers: Mapping[str, str]) -> SchemathesisConfig:
    phases: dict[str, Any] = {name: {"enabled": name in options.phases} for name in PHASES}
    if options.read_only:
        # Coverage also probes undeclared methods; keep those to safe ones against a live deployment.
        phases["coverage"]["unexpected-methods"] = ["get", "options"]
    data: dict[str, Any] = {
        "base-url": options.base_url.rstrip("/"),
        "workers": options.workers,
        "request-timeout": options.request_timeout,
        "auth": {"auto-signup": False},
        "generation": {"max-examples": options.max_examples},
        "phases": phases,
    }
    if headers:
        data["headers"] = dict(headers)
    # A short seed is easy to pass back with --seed; Schemathesis' own default is a 128-bit number.
    data["seed"] = options.seed if options.seed is not None else random.randrange(2**31)
    if options.seed is not None:
        data["generation"]["database"] = "none"  # replaying stored failures would make a seeded run irreproducible
    if options.rate_limit is not None:
        data["rate-limit"] = options.rate_limit
    try:
        return SchemathesisConfig.from_dict(data)
    except (ConfigError, SchemathesisError, ValueError) as exc:
        raise UsageError(f"invalid run option: {exc}") from exc


def _load_schema(spec: Path, config: SchemathesisConfig) -> Any:
    try:
        return schemathesis.openapi.from_path(str(spec), config=config)
    except (LoaderError, SchemathesisError) as exc:
        raise SpecLoadError(f"cannot load spec {spec}: {exc}") from exc
    except OSError as exc:
        raise SpecLoadError(f"cannot read spec {spec}: {exc.strerror or exc}") from exc


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]


def _is_websocket(operation: Any) -> bool:
    definition = operation.definition.raw
    return "x-websocket" in definition or "101" in {str(code) for code in definition.get("responses", {})}


def _select(schema: Any, options: RunOptions) -> tuple[Any, list[str]]:
    skipped = [f"{operation.label} (WebSocket)" for operation in _operations(schema) if _is_websocket(operation)]
    schema = schema.exclude(lambda ctx: _is_websocket(ctx.operation))
    if options.read_only:
        schema = schema.include(method=[method.lower() for method in sorted(READ_ONLY_METHODS)])
    if options.operations is not None:
        pattern = re.compile(options.operations)

        def matches(ctx: Any) -> bool:
            operation = ctx.operation
            operation_id = operation.definition.raw.get("operationId") or ""
            return bool(pattern.search(operation_id) or pattern.search(operation.path))

        schema = schema.include(matches)
    return schema, skipped


def _probe(base_url: str, timeout: float) -> None:
    """Any HTTP answer proves the server is there; only a transport failure is fatal."""
    try:
        httpx.get(base_url, timeout=min(timeout, 10.0), follow_redirects=False)
    except httpx.InvalidURL as exc:
        raise UsageError(f"invalid --base-url {base_url!r}: {exc}") from exc
    except httpx.TransportError as exc:
        raise ServerUnreachableError(f"cannot reach {base_url}: {exc or type(exc).__name__}") from exc


def _secrets(headers: Mapping[str, str], token: str | None) -> list[str]:
    values = [value for name, value in headers.items() if name.lower() not in _PUBLIC_HEADERS]
    if token:
        values.append(token)
    return [value for value in values if len(value) >= _MIN_SECRET_LENGTH]


class _Redactor:
    """Replaces every secret value in a text by `[Filtered]`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted(set(secrets), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


@dataclass(slots=True)
class _Tally:
    violation: Violation
    occurrences: int = 1


class _Collector:
    """Turns engine events into per-operation outcomes and a JUnit document."""

    def __init__(self, labels: list[str], redact: _Redactor, config: SchemathesisConfig) -> None:
        self._cases: dict[str, int] = dict.fromkeys(labels, 0)
        self._tallies: dict[tuple[str, str, Any], _Tally] = {}
        self._errors: list[str] = []
        self._redact = redact
        self._output = config.output
        self._statistic = Statistic()
        self._junit_buffer = StringIO()
        self._junit = JunitXmlWriter(self._junit_buffer)
        self._elapsed = 0.0
        self._started = 0.0

    def handle(self, event: events.EngineEvent) -> None:
        if isinstance(event, events.EngineStarted):
            self._started = event.timestamp
        elif isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            self._statistic.on_scenario_finished(event.recorder)
            self._on_scenario(event.recorder, event.timestamp - self._started)
        elif isinstance(event, events.NonFatalError):
            message = event.info.format(base_url_is_set=True)
            self._errors.append(self._redact(f"{event.label}: {message}"))
            self._junit.record_error(label=event.label, message=message)
        elif isinstance(event, events.FatalError):
            raise RunError(self._redact(f"the test engine stopped: {event.exception}"))
        elif isinstance(event, events.EngineFinished):
            self._elapsed = event.running_time
            if event.stop_reason is StopReason.SERVER_UNAVAILABLE:
                raise ServerUnreachableError("the server stopped responding during the run")
        for record in scenario_records(self._statistic, event):
            self._junit.record_scenario(
                label=record.label,
                elapsed_sec=record.elapsed_sec,
                failures=record.failures,
                skip_reason=record.skip_reason,
                config=self._output,
            )

    def _on_scenario(self, recorder: Any, found_after: float) -> None:
        for node in recorder.cases.values():
            label = node.value.operation.label
            self._cases[label] = self._cases.get(label, 0) + 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.failure_info is None:
                    continue
                node = recorder.cases.get(case_id)
                label = node.value.operation.label if node is not None else recorder.label
                key = (label, check.name, check.failure_info.failure)
                tally = self._tallies.get(key)
                if tally is not None:
                    tally.occurrences += 1
                    continue
                interaction = recorder.interactions.get(case_id)
                response = interaction.response if interaction is not None else None
                violation = self._violation(label, check.name, check.failure_info, response, found_after)
                self._tallies[key] = _Tally(violation)

    def _violation(self, label: str, check: str, info: Any, response: Any, found_after: float) -> Violation:
        steps = [step.curl for step in info.steps] or [info.code_sample]
        body = ""
        if response is not None:
            body = (response.content or b"").decode("utf-8", errors="replace")
            body = body if len(body) <= _BODY_EXCERPT else body[:_BODY_EXCERPT] + "..."
        return Violation(
            operation=label,
            check=check,
            title=self._redact(info.failure.title),
            message=self._redact(info.failure.message or ""),
            reproduction=self._redact("\n".join(steps)),
            status=response.status_code if response is not None else None,
            body=self._redact(body),
            found_after=round(found_after, 3),
        )

    def result(self, spec: str, base_url: str, seed: int, skipped: tuple[str, ...]) -> RunResult:
        by_label: dict[str, list[Violation]] = {}
        for tally in self._tallies.values():
            violation = tally.violation
            by_label.setdefault(violation.operation, []).append(
                Violation(**{**_fields(violation), "occurrences": tally.occurrences})
            )
        labels = list(self._cases) + [label for label in by_label if label not in self._cases]
        outcomes = tuple(
            OperationOutcome(label=label, cases=self._cases.get(label, 0), violations=tuple(by_label.get(label, [])))
            for label in labels
        )
        self._junit.unskip(self._statistic.tested_operations)
        self._junit.close()
        return RunResult(
            spec=spec,
            base_url=base_url,
            seed=seed,
            operations=outcomes,
            errors=tuple(self._errors),
            skipped=skipped,
            elapsed=self._elapsed,
            junit_xml=self._redact(self._junit_buffer.getvalue()),
        )


def _with_streams(result: RunResult, outcomes: list[StreamOutcome], redact: _Redactor,
                  found_after: float) -> RunResult:
    """The run with the stream checks' outcomes (contracts/streams.py) in its operations, skips and JUnit."""
    operations = {outcome.label: outcome for outcome in result.operations}
    skipped = list(result.skipped)
    for stream in outcomes:
        if stream.skipped:
            skipped.append(f"{stream.label} (stream: {stream.skipped})")
            continue
        skipped = [s for s in skipped if s != f"{stream.label} (WebSocket)"]
        found = tuple(Violation(operation=stream.label, check=f.check, title=redact(f.title), message=redact(f.message),
                                reproduction=redact(f.reproduction), status=None, body="",
                                found_after=round(found_after, 3)) for f in stream.findings)
        before = operations.get(stream.label, OperationOutcome(stream.label, 0))
        operations[stream.label] = OperationOutcome(before.label, before.cases + 1, before.violations + found)
    return RunResult(spec=result.spec, base_url=result.base_url, seed=result.seed,
                     operations=tuple(operations.values()), errors=result.errors, skipped=tuple(skipped),
                     elapsed=result.elapsed, junit_xml=_junit_with_streams(result.junit_xml, outcomes, redact))


def _junit_with_streams(document: str, outcomes: list[StreamOutcome], redact: _Redactor) -> str:
    """Add a `streams` test suite: one test case per stream, one failure per violated stream check."""
    ET = ElementTree
    try:
        root = ET.fromstring(document) if document.strip() else ET.Element("testsuites")
    except ET.ParseError:
        return document
    suite = ET.SubElement(root, "testsuite", name="streams", tests=str(len(outcomes)),
                          failures=str(sum(1 for o in outcomes if o.findings)), errors="0")
    for outcome in outcomes:
        case = ET.SubElement(suite, "testcase", name=f"{outcome.label} (stream)", classname="streams")
        if outcome.skipped:
            ET.SubElement(case, "skipped", message=outcome.skipped)
        for finding in outcome.findings:
            failure = ET.SubElement(case, "failure", type=finding.check, message=redact(finding.title))
            failure.text = redact(f"{finding.message}\n\n{finding.reproduction}")
    return ET.tostring(root, encoding="unicode")


def _fields(violation: Violation) -> dict[str, Any]:
    return {name: getattr(violation, name) for name in Violation.__dataclass_fields__}
