"""Human summary, JSON and JUnit files of a contract run: the only output formatting besides `cli.py`.

The summary lists, per operation, how many cases were sent and which checks failed; then, for each violation, the
check name, what it found, the response received (status and a truncated body) and a curl reproduction; then the
assumptions the deployment contradicted (with the spec node to revisit), the credentials verdict and
Schemathesis' warnings. The runner has already replaced secrets by `[Filtered]` in everything rendered here.
"""

from __future__ import annotations

import json
import textwrap
from http import HTTPStatus
from pathlib import Path
from typing import Any, TextIO

from contracts.errors import UsageError
from contracts.results import RunResult, Violation

__all__ = ["render_json", "render_summary", "write_json", "write_junit", "write_summary"]

_MESSAGE_LINES = 14
_LINE_WIDTH = 300
_INDENT = "     "


def render_summary(result: RunResult) -> str:
    """The run as plain text, ending with the verdict."""
    lines = [f"Contract run: {result.spec} against {result.base_url} (seed {result.seed}, {result.elapsed:.1f}s)", ""]
    width = max((len(outcome.label) for outcome in result.operations), default=0)
    for outcome in result.operations:
        verdicts = []
        if outcome.violations:
            verdicts.append(f"FAILED: {', '.join(sorted({violation.check for violation in outcome.violations}))}")
        if outcome.auth_rejected:
            verdicts.append("NOT TESTED: every valid case answered 401/403")
        if outcome.assumptions:
            verdicts.append(f"assumption: {', '.join(sorted({a.check for a in outcome.assumptions}))}")
        if not verdicts:
            verdicts.append("ok" if outcome.cases else "not tested")
        lines.append(f"  {outcome.label:<{width}}  {outcome.cases:>5} cases  {'; '.join(verdicts)}")
    if result.skipped:
        lines += ["", "Skipped: " + ", ".join(result.skipped)]
    violations = result.violations
    if violations:
        lines += ["", "Violations", ""]
        for index, violation in enumerate(violations, 1):
            lines += [*_render_violation(index, violation, result.spec), ""]
    if result.assumptions:
        lines += ["", "Assumptions contradicted by the deployment (warnings; --strict makes them failures)", "",
                  textwrap.fill("The deployment breaks only constraints the spec decided itself (x-decision), not "
                                "documented facts: revisit the spec node named under each.", 116, initial_indent="  ",
                                subsequent_indent="  "), ""]
        for index, assumption in enumerate(result.assumptions, 1):
            lines += [*_render_violation(index, assumption, result.spec), ""]
        lines += ["  Spec nodes to revisit:", *_revisit(result), ""]
    if result.errors:
        lines += ["", "Errors", ""]
        lines += [textwrap.indent(_clip(error), "  - ").replace("\n  - ", "\n    ") for error in result.errors]
        lines.append("")
    lines += _render_credentials(result)
    if result.warnings:
        lines += ["", "Schemathesis warnings", ""]
        for warning in result.warnings:
            lines.append(f"  - {warning.kind}: {warning.message}")
            lines += [f"      {label}" for label in warning.operations]
        lines.append("")
    lines.append(_verdict(result))
    return "\n".join(lines).rstrip() + "\n"


def render_json(result: RunResult) -> str:
    """The run as a JSON document (for machines; the same facts as the summary)."""
    document: dict[str, Any] = {
        "spec": result.spec,
        "base_url": result.base_url,
        "seed": result.seed,
        "elapsed": round(result.elapsed, 3),
        "exit_code": result.exit_code,
        "verdict": _verdict(result),
        "operations": [
            {
                "operation": outcome.label,
                "cases": outcome.cases,
                "checks_failed": sorted({violation.check for violation in outcome.violations}),
                "assumptions": sorted({assumption.check for assumption in outcome.assumptions}),
                "auth_rejected": outcome.auth_rejected,
            }
            for outcome in result.operations
        ],
        "violations": [_violation_json(violation) for violation in result.violations],
        "assumptions": [_violation_json(assumption) for assumption in result.assumptions],
        "credentials": {
            "rejected_operations": list(result.rejected),
            "served_any": result.served_any,
            "expected": result.credentials,
            "not_tested": result.not_tested,
        },
        "warnings": [
            {"kind": warning.kind, "message": warning.message, "operations": list(warning.operations)}
            for warning in result.warnings
        ],
        "errors": list(result.errors),
        "skipped": list(result.skipped),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_summary(result: RunResult, stream: TextIO) -> None:
    """Write the summary to `stream` (the console)."""
    stream.write(render_summary(result))
    stream.flush()


def write_junit(result: RunResult, path: Path) -> None:
    """Write the run's JUnit XML (one test case per operation, plus streams, assumptions, warnings) to `path`."""
    _write(path, result.junit_xml, "JUnit report")


def write_json(result: RunResult, path: Path) -> None:
    """Write the run as JSON (`render_json`) to `path`."""
    _write(path, render_json(result), "JSON report")


def _write(path: Path, text: str, what: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {what} {path}: {exc.strerror or exc}") from exc


def _violation_json(violation: Violation) -> dict[str, Any]:
    return {
        "operation": violation.operation,
        "check": violation.check,
        "title": violation.title,
        "message": violation.message,
        "status": violation.status,
        "body": violation.body,
        "reproduction": violation.reproduction,
        "occurrences": violation.occurrences,
        "decisions": [
            {"pointer": f"#{decision.pointer}", "line": decision.line, "broken": sorted(decision.broken),
             "note": decision.note}
            for decision in violation.decisions
        ],
    }


def _render_violation(index: int, violation: Violation, spec: str) -> list[str]:
    times = f" ({violation.occurrences} cases)" if violation.occurrences > 1 else ""
    lines = [f"{index}. {violation.operation} | {violation.check}: {violation.title}{times}"]
    if violation.message:
        lines.append(textwrap.indent(_clip(violation.message), _INDENT))
    for decision in violation.decisions:
        broken = ", ".join(sorted(decision.broken))
        lines.append(f"{_INDENT}Rests only on a decision ({broken}): {decision.location(spec)}")
        lines.append(textwrap.indent(textwrap.fill(f"x-decision: {decision.note}", 110), _INDENT + "  "))
    if violation.status is not None:
        lines.append(f"{_INDENT}Response: {violation.status} {_reason(violation.status)}")
        if violation.body:
            lines.append(textwrap.indent(violation.body, _INDENT + "  "))
    lines.append(f"{_INDENT}Reproduce:")
    lines.append(textwrap.indent(violation.reproduction, _INDENT + "  "))
    return lines


def _revisit(result: RunResult) -> list[str]:
    """Each decision the deployment contradicted, once, with the keywords broken and the operations."""
    nodes: dict[str, tuple[Any, set[str], list[str]]] = {}
    for assumption in result.assumptions:
        for decision in assumption.decisions:
            _, broken, operations = nodes.setdefault(decision.pointer, (decision, set(), []))
            broken |= decision.broken
            if assumption.operation not in operations:
                operations.append(assumption.operation)
    return [
        f"    {decision.location(result.spec)} ({', '.join(sorted(broken))}): {len(operations)} operation(s)"
        for decision, broken, operations in nodes.values()
    ]


def _render_credentials(result: RunResult) -> list[str]:
    if not result.rejected and result.served_any:
        return []
    heading = "Credentials rejected" if result.rejected else "Nothing was served"
    if result.allow_unauthenticated:
        heading += " (allowed by --allow-unauthenticated)"
    lines = ["", heading, ""]
    if result.rejected:
        lines.append(f"  Every valid case of {len(result.rejected)} operation(s) was answered 401/403:")
        lines += [f"    {label}" for label in result.rejected]
        lines.append(textwrap.indent(textwrap.fill(result.credentials, 112), "  "))
        lines.append("  Check the credential you pass with --header or --token-env (wrong, expired, or for another "
                     "scheme).")
    else:
        lines.append("  No operation answered a single 2xx: check --base-url and the credentials.")
    if not result.allow_unauthenticated:
        lines.append("  For a deliberately anonymous run, pass --allow-unauthenticated.")
    return lines


def _clip(text: str) -> str:
    lines = [line if len(line) <= _LINE_WIDTH else line[:_LINE_WIDTH] + "..." for line in text.strip().splitlines()]
    if len(lines) <= _MESSAGE_LINES:
        return "\n".join(lines)
    return "\n".join([*lines[:_MESSAGE_LINES], f"... ({len(lines) - _MESSAGE_LINES} more lines)"])


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _verdict(result: RunResult) -> str:
    cases = sum(outcome.cases for outcome in result.operations)
    violations = result.violations
    assumed = f"; {len(result.assumptions)} assumption(s) contradicted (warnings)" if result.assumptions else ""
    if result.not_tested:
        if result.rejected:
            reason = f"credentials rejected on {len(result.rejected)} operation(s)"
        else:
            reason = "no operation answered a single 2xx"
        found = f"; also {len(violations)} violation(s)" if violations else ""
        return f"NOT TESTED: {reason} ({cases} cases{found}{assumed}). Exit code 2."
    if result.passed:
        return f"PASSED: {cases} cases on {len(result.operations)} operations, no contract violation{assumed}."
    failed = len({violation.operation for violation in violations})
    parts = [f"{len(violations)} violation(s) on {failed} operation(s)"] if violations else []
    if result.errors:
        parts.append(f"{len(result.errors)} error(s)")
    return f"FAILED: {', '.join(parts)} ({cases} cases{assumed}; rerun with seed {result.seed} to reproduce)."
