"""Property-based contract runs of one spec against a running server: the only entry into Schemathesis.

`run_contracts(RunOptions(...))` loads the spec, probes the server, runs Schemathesis' engine (its phases, default
checks, link-based stateful testing and our `contracts.checks`), then the stream checks, and returns a `RunResult`
(contracts/results.py): per operation the number of cases tried, the violations found and the assumptions
contradicted (violations resting only on the spec's `x-decision` constraints: contracts/assumptions.py), whether
every valid case was refused 401/403, whether anything answered 2xx at all, Schemathesis' own warnings, and the run
as JUnit XML (Schemathesis' own JUnit writer, plus suites for streams, credentials, assumptions and warnings).
Secrets (credential header values) are replaced by `[Filtered]` in everything the result holds.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from schemathesis.cli.commands.run.warnings import WarningCollector
from schemathesis.config import ConfigError, SchemathesisConfig
from schemathesis.core import NotSet
from schemathesis.core.result import Ok
from schemathesis.engine import StopReason, events, from_schema
from schemathesis.engine.statistic import Statistic
from schemathesis.errors import LoaderError, SchemathesisError
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES, coverage_scenario
from schemathesis.reporting.junitxml import JunitXmlWriter
from schemathesis.reporting.recorders import scenario_records

from contracts.assumptions import JUDGED_CHECKS, NO_BODY, AssumptionJudge
from contracts.checks import register_checks
from contracts.credentials import credential_headers, describe_expected
from contracts.decisions import Decision
from contracts.errors import RunError, ServerUnreachableError, SpecLoadError, UsageError
from contracts.outcomes import junit_verdicts, with_streams
from contracts.redaction import REDACTED, Redactor, secret_header_values
from contracts.results import OperationOutcome, RunResult, RunWarning, Violation
from contracts.specfile import SpecDocument, load_spec_document
from contracts.streams import StreamLimits, check_streams

__all__ = [
    "PHASES",
    "READ_ONLY_METHODS",
    "REDACTED",
    "OperationOutcome",
    "RunOptions",
    "RunResult",
    "RunWarning",
    "Violation",
    "credential_headers",
    "run_contracts",
]

PHASES: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")
READ_ONLY_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS"})
_BODY_EXCERPT = 300
_AUTH_STATUSES = frozenset({401, 403})
# What each of Schemathesis' warnings means for the person reading the summary.
# Schemathesis sometimes marks a case negative while describing it as "Positive test case" (a stateful step
# whose negated part was overwritten by a linked value); the request it sends is then valid.
MISLABELLED_NEGATIVE = "mislabelled_negative_case"
_POSITIVE_DESCRIPTION = "Positive test case"

_WARNING_MESSAGES = {
    "missing_auth": "every response was 401/403: credentials are missing or not accepted",
    "missing_test_data": "valid requests were answered 404 only: the resources they name do not exist on the server",
    "validation_mismatch": "valid requests were answered 4xx only: the server rejects input the spec allows",
    "base_url_mismatch": "every request was answered 404: --base-url may lack the path the spec's servers declare",
    "rate_limited": "most requests were answered 429: lower --rate-limit",
    "low_valid_rate": "most valid requests were turned away",
    "unsupported_regex": "a pattern of the spec cannot be generated from",
    "missing_deserializer": "a response media type has no deserializer, so its body was not checked",
    "unused_openapi_auth": "an auth option names a security scheme the spec does not declare",
    "unresolvable_reference": "a $ref could not be resolved; the parameter was dropped",
    MISLABELLED_NEGATIVE: (
        "Schemathesis reported a valid request as accepted invalid data: its own metadata calls the case a "
        "positive test case and the request conforms to the spec, so it is not counted as a violation"
    ),
}


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What to test, where, and how hard; the defaults match `contracts run` without options.

    `strict`: violations resting only on the spec's decisions fail the run too. `allow_unauthenticated`: a run
    whose requests were all refused (401/403) or never served still passes when nothing else failed."""

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
    strict: bool = False
    allow_unauthenticated: bool = False


def run_contracts(options: RunOptions) -> RunResult:
    """Run Schemathesis against `options.base_url` and collect what it finds.

    Raises `UsageError`/`SpecLoadError` for bad options or an unreadable spec, `ServerUnreachableError` when the
    server does not answer, and `RunError` when the engine stops with an internal error.
    """
    _validate(options)
    document = _load_document(options.spec)
    raw = document.data
    headers = {**options.headers, **(credential_headers(raw, options.token) if options.token else {})}
    redact = Redactor([*secret_header_values(headers), *([options.token] if options.token else [])])
    config = _config(options, headers)
    schema = _load_schema(options.spec, config)
    schema, skipped = _select(schema, options)
    labels = [operation.label for operation in _operations(schema)]
    if not labels:
        raise UsageError(f"no operation of {options.spec} matches the selection (--operations / --read-only)")
    _probe(options.base_url, options.request_timeout)
    register_checks()
    collector = _Collector(labels, redact, schema, AssumptionJudge(document), options.strict)
    for event in from_schema(schema).execute():
        collector.handle(event)
    result = collector.result(str(options.spec), options.base_url, config.seed, tuple(skipped))
    if options.streams:
        selected = re.compile(options.operations) if options.operations is not None else None
        started = time.perf_counter()
        outcomes = check_streams(raw, options.base_url, headers,
                                 StreamLimits(request_timeout=options.request_timeout), options.read_only,
                                 (lambda op_id, path: bool(selected.search(op_id) or selected.search(path)))
                                 if selected is not None else None)
        result = with_streams(result, outcomes, redact, result.elapsed + time.perf_counter() - started)
    definitions = [_definition(raw, label) for label in result.rejected]
    result = replace(
        result,
        credentials=describe_expected(raw, [d for d in definitions if d is not None]),
        allow_unauthenticated=options.allow_unauthenticated,
        strict=options.strict,
    )
    return replace(result, junit_xml=junit_verdicts(result, redact))


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


def _load_document(spec: Path) -> SpecDocument:
    if not spec.is_file():
        raise SpecLoadError(f"cannot read spec {spec}: no such file")
    document = load_spec_document(spec)
    if "paths" not in document.data:
        raise SpecLoadError(f"spec {spec} is not an OpenAPI document")
    return document


def _definition(raw: Mapping[str, Any], label: str) -> Mapping[str, Any] | None:
    """The operation object behind a label such as `GET /things/{id}`."""
    method, _, path = label.partition(" ")
    item = (raw.get("paths") or {}).get(path)
    operation = item.get(method.lower()) if isinstance(item, Mapping) else None
    return operation if isinstance(operation, Mapping) else None


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


@dataclass(slots=True)
class _Tally:
    violation: Violation
    occurrences: int = 1


@dataclass(slots=True)
class _Answers:
    """What an operation answered: valid (positive) cases answered at all, and answered 401/403."""

    positive: int = 0
    auth_refused: int = 0


class _OperationFinder:
    """The one thing Schemathesis' warning collector asks of its run context."""

    def __init__(self, schema: Any) -> None:
        self._schema = schema

    def find_operation(self, label: str) -> Any:
        return self._schema.find_operation_by_label(label)


class _Collector:
    """Turns engine events into per-operation outcomes, warnings and a JUnit document."""

    def __init__(self, labels: list[str], redact: Redactor, schema: Any, judge: AssumptionJudge,
                 strict: bool) -> None:
        self._cases: dict[str, int] = dict.fromkeys(labels, 0)
        self._answers: dict[str, _Answers] = {label: _Answers() for label in labels}
        self._served = False
        self._tallies: dict[tuple[str, str, Any, bool], _Tally] = {}
        self._assumed: set[int] = set()  # ids of the failures that are assumptions, kept out of the JUnit failures
        self._errors: list[str] = []
        self._mislabelled_labels: dict[str, None] = {}  # operations with a mislabelled negative case (ordered)
        self._redact = redact
        self._judge = judge
        self._strict = strict
        self._output = schema.config.output
        self._statistic = Statistic()
        self._junit_buffer = StringIO()
        self._junit = JunitXmlWriter(self._junit_buffer)
        self._finder = _OperationFinder(schema)
        # Schemathesis' own warning logic (missing auth, no test data, ...), fed the same events as its CLI's.
        self._warnings = WarningCollector(config=schema.config)
        self._elapsed = 0.0
        self._started = 0.0

    def handle(self, event: events.EngineEvent) -> None:
        if isinstance(event, events.EngineStarted):
            self._started = event.timestamp
        elif isinstance(event, events.SchemaAnalysisWarnings):
            self._warnings.on_schema_warnings(event)
        elif isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            self._statistic.on_scenario_finished(event.recorder)
            self._warnings.on_scenario_finished(self._finder, event)  # type: ignore[arg-type]
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
                failures=[group for group in map(self._without_assumptions, record.failures) if group.failures],
                skip_reason=record.skip_reason,
                config=self._output,
            )

    def _without_assumptions(self, group: Any) -> Any:
        return replace(group, failures=[failure for failure in group.failures if id(failure) not in self._assumed])

    def _on_scenario(self, recorder: Any, found_after: float) -> None:
        for case_id, node in recorder.cases.items():
            label = node.value.operation.label
            self._cases[label] = self._cases.get(label, 0) + 1
            interaction = recorder.interactions.get(case_id)
            if interaction is not None and interaction.response is not None:
                self._count(label, node.value, interaction.response.status_code)
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.failure_info is None:
                    continue
                node = recorder.cases.get(case_id)
                label = node.value.operation.label if node is not None else recorder.label
                interaction = recorder.interactions.get(case_id)
                response = interaction.response if interaction is not None else None
                if check.name == "negative_data_rejection" and node is not None and self._mislabelled(node.value):
                    self._assumed.add(id(check.failure_info.failure))
                    self._mislabelled_labels.setdefault(label, None)
                    continue
                decisions = self._decisions(check.name, node.value, response) if node is not None else ()
                assumed = bool(decisions) and not self._strict
                if assumed:
                    self._assumed.add(id(check.failure_info.failure))
                key = (label, check.name, check.failure_info.failure, assumed)
                tally = self._tallies.get(key)
                if tally is not None:
                    tally.occurrences += 1
                    continue
                violation = self._violation(label, check.name, check.failure_info, response, found_after, decisions)
                self._tallies[key] = _Tally(violation)

    def _mislabelled(self, case: Any) -> bool:
        """A "negative" case Schemathesis itself describes as positive, and that our validation finds valid."""
        meta = case.meta
        if meta is None or getattr(meta.phase.data, "description", None) != _POSITIVE_DESCRIPTION:
            return False
        body = NO_BODY if isinstance(case.body, NotSet) else case.body
        return self._judge.request_is_valid(case.method, case.operation.path,
                                            path_parameters=case.path_parameters or {}, query=case.query or {},
                                            headers=case.headers or {}, body=body, media_type=case.media_type)

    def _count(self, label: str, case: Any, status: int) -> None:
        if coverage_scenario(case) in REQUEST_SHAPE_PROBES:
            return  # requests malformed on purpose say nothing about the credentials
        if 200 <= status < 300:
            self._served = True
        meta = case.meta
        if meta is None or meta.generation.mode.is_positive:
            answers = self._answers.setdefault(label, _Answers())
            answers.positive += 1
            answers.auth_refused += status in _AUTH_STATUSES

    def _decisions(self, check: str, case: Any, response: Any) -> tuple[Decision, ...]:
        """The spec decisions a failed check rests on, when it rests on nothing else (contracts/assumptions.py)."""
        if check not in JUDGED_CHECKS or response is None:
            return ()
        method, path, status = case.method, case.operation.path, response.status_code
        if check == "negative_data_rejection":
            body = NO_BODY if isinstance(case.body, NotSet) else case.body
            found = self._judge.request(method, path, path_parameters=case.path_parameters or {},
                                        query=case.query or {}, headers=case.headers or {}, body=body,
                                        media_type=case.media_type)
        elif check == "response_schema_conformance":
            try:
                body = response.json()
            except ValueError:
                return ()
            content_type = (response.headers.get("content-type") or [None])[0]
            found = self._judge.response_body(method, path, status, content_type, body)
        else:
            headers = {name: values[0] for name, values in response.headers.items() if values}
            found = self._judge.response_headers(method, path, status, headers)
        return found or ()

    def _violation(self, label: str, check: str, info: Any, response: Any, found_after: float,
                   decisions: tuple[Decision, ...]) -> Violation:
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
            decisions=decisions,
        )

    def result(self, spec: str, base_url: str, seed: int, skipped: tuple[str, ...]) -> RunResult:
        violations: dict[str, list[Violation]] = {}
        assumptions: dict[str, list[Violation]] = {}
        for (label, _, _, assumed), tally in self._tallies.items():
            found = replace(tally.violation, occurrences=tally.occurrences)
            (assumptions if assumed else violations).setdefault(label, []).append(found)
        labels = list(dict.fromkeys([*self._cases, *violations, *assumptions]))
        outcomes = tuple(
            OperationOutcome(
                label=label,
                cases=self._cases.get(label, 0),
                violations=tuple(violations.get(label, [])),
                assumptions=tuple(assumptions.get(label, [])),
                auth_rejected=_refused(self._answers.get(label)),
            )
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
            warnings=self._run_warnings(),
            served_any=self._served,
        )

    def _run_warnings(self) -> tuple[RunWarning, ...]:
        found = []
        for kind, labels in self._warnings.data.as_labels().items():
            if labels:
                message = _WARNING_MESSAGES.get(kind, "see Schemathesis' documentation of this warning")
                found.append(RunWarning(kind, tuple(labels), self._redact(message)))
        if self._mislabelled_labels:
            found.append(RunWarning(MISLABELLED_NEGATIVE, tuple(self._mislabelled_labels),
                                    _WARNING_MESSAGES[MISLABELLED_NEGATIVE]))
        return tuple(found)


def _refused(answers: _Answers | None) -> bool:
    return answers is not None and answers.positive > 0 and answers.auth_refused == answers.positive
