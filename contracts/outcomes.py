"""Fold what comes after Schemathesis' engine into a run's result: the stream checks' outcomes, and the verdicts
JUnit readers must see (credentials rejected, assumptions contradicted, Schemathesis' warnings) as extra suites."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from contracts.junit import JunitCase, JunitOutcome, add_suite
from contracts.redaction import Redactor
from contracts.results import OperationOutcome, RunResult, Violation
from contracts.streams import StreamOutcome

__all__ = ["junit_verdicts", "with_streams"]


def with_streams(result: RunResult, outcomes: list[StreamOutcome], redact: Redactor,
                  found_after: float) -> RunResult:
    """The run with the stream checks' outcomes (contracts/streams.py) in its operations, skips and JUnit."""
    operations = {outcome.label: outcome for outcome in result.operations}
    skipped = list(result.skipped)
    served = result.served_any
    for stream in outcomes:
        if stream.skipped:
            skipped.append(f"{stream.label} (stream: {stream.skipped})")
            continue
        skipped = [s for s in skipped if s != f"{stream.label} (WebSocket)"]
        served = served or stream.events > 0
        found = tuple(Violation(operation=stream.label, check=f.check, title=redact(f.title), message=redact(f.message),
                                reproduction=redact(f.reproduction), status=None, body="",
                                found_after=round(found_after, 3)) for f in stream.findings)
        before = operations.get(stream.label, OperationOutcome(stream.label, 0))
        operations[stream.label] = replace(before, cases=before.cases + 1, violations=before.violations + found)
    suite = [_stream_case(outcome, redact) for outcome in outcomes]
    junit = add_suite(result.junit_xml, "streams", suite) if outcomes else result.junit_xml
    return replace(result, operations=tuple(operations.values()), skipped=tuple(skipped), served_any=served,
                   junit_xml=junit)


def _stream_case(outcome: StreamOutcome, redact: Redactor) -> JunitCase:
    outcomes = [JunitOutcome("skipped", "skipped", outcome.skipped)] if outcome.skipped else []
    outcomes += [JunitOutcome("failure", f.check, redact(f.title), redact(f"{f.message}\n\n{f.reproduction}"))
                 for f in outcome.findings]
    return JunitCase(f"{outcome.label} (stream)", tuple(outcomes))


def junit_verdicts(result: RunResult, redact: Redactor) -> str:
    """The run's JUnit document plus what Schemathesis' writer cannot say: credentials rejected (an error on
    each operation), the assumptions contradicted and Schemathesis' warnings (skipped cases: seen, not failing)."""
    document = result.junit_xml
    if result.rejected or not result.served_any:
        if result.rejected:
            reason = "every valid case was answered 401/403: credentials rejected. " + result.credentials
            cases = [JunitCase(label, (JunitOutcome(_outcome(result), "credentials_rejected", reason),))
                     for label in result.rejected]
        else:
            reason = "no operation answered a single 2xx: nothing was tested"
            cases = [JunitCase("run", (JunitOutcome(_outcome(result), "nothing_served", reason),))]
        document = add_suite(document, "credentials", cases)
    if result.assumptions:
        document = add_suite(document, "assumptions", [
            JunitCase(f"{a.operation} | {a.check}", (JunitOutcome(
                "skipped", "assumption", redact(f"assumption contradicted by the deployment: {a.title}"),
                redact(_assumption_text(a, result.spec)),
            ),))
            for a in result.assumptions
        ])
    if result.warnings:
        document = add_suite(document, "warnings", [
            JunitCase(f"{warning.kind}: {label}", (JunitOutcome("skipped", warning.kind, warning.message),))
            for warning in result.warnings for label in warning.operations
        ])
    return document


def _outcome(result: RunResult) -> Any:
    return "error" if result.not_tested else "skipped"


def _assumption_text(assumption: Violation, spec: str) -> str:
    revisit = "\n".join(f"revisit {d.location(spec)} ({', '.join(sorted(d.broken))}): {d.note}"
                        for d in assumption.decisions)
    return f"{assumption.message}\n\n{revisit}\n\n{assumption.reproduction}"
