"""Human summary and JUnit file of a contract run: the only output formatting besides `cli.py`.

The summary lists, per operation, how many cases were sent and which checks failed; then, for each violation, the
check name, what it found, the response received (status and a truncated body) and a curl reproduction.
The runner has already replaced secrets by `[Filtered]` in everything rendered here.
"""

from __future__ import annotations

import textwrap
from http import HTTPStatus
from pathlib import Path
from typing import TextIO

from contracts.errors import UsageError
from contracts.runner import RunResult, Violation

__all__ = ["render_summary", "write_junit", "write_summary"]

_MESSAGE_LINES = 14
_LINE_WIDTH = 300
_INDENT = "     "


def render_summary(result: RunResult) -> str:
    """The run as plain text, ending with the verdict."""
    lines = [f"Contract run: {result.spec} against {result.base_url} (seed {result.seed}, {result.elapsed:.1f}s)", ""]
    width = max((len(outcome.label) for outcome in result.operations), default=0)
    for outcome in result.operations:
        if outcome.violations:
            checks = sorted({violation.check for violation in outcome.violations})
            verdict = f"FAILED: {', '.join(checks)}"
        else:
            verdict = "ok" if outcome.cases else "not tested"
        lines.append(f"  {outcome.label:<{width}}  {outcome.cases:>5} cases  {verdict}")
    if result.skipped:
        lines += ["", "Skipped: " + ", ".join(result.skipped)]
    violations = result.violations
    if violations:
        lines += ["", "Violations", ""]
        for index, violation in enumerate(violations, 1):
            lines += [*_render_violation(index, violation), ""]
    if result.errors:
        lines += ["", "Errors", ""]
        lines += [textwrap.indent(_clip(error), "  - ").replace("\n  - ", "\n    ") for error in result.errors]
        lines.append("")
    lines.append(_verdict(result))
    return "\n".join(lines).rstrip() + "\n"


def write_summary(result: RunResult, stream: TextIO) -> None:
    """Write the summary to `stream` (the console)."""
    stream.write(render_summary(result))
    stream.flush()


def write_junit(result: RunResult, path: Path) -> None:
    """Write the run's JUnit XML (one test case per operation) to `path`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.junit_xml, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write JUnit report {path}: {exc.strerror or exc}") from exc


def _render_violation(index: int, violation: Violation) -> list[str]:
    times = f" ({violation.occurrences} cases)" if violation.occurrences > 1 else ""
    lines = [f"{index}. {violation.operation} | {violation.check}: {violation.title}{times}"]
    if violation.message:
        lines.append(textwrap.indent(_clip(violation.message), _INDENT))
    if violation.status is not None:
        lines.append(f"{_INDENT}Response: {violation.status} {_reason(violation.status)}")
        if violation.body:
            lines.append(textwrap.indent(violation.body, _INDENT + "  "))
    lines.append(f"{_INDENT}Reproduce:")
    lines.append(textwrap.indent(violation.reproduction, _INDENT + "  "))
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
    if result.passed:
        return f"PASSED: {cases} cases on {len(result.operations)} operations, no contract violation."
    failed = len({violation.operation for violation in violations})
    parts = [f"{len(violations)} violation(s) on {failed} operation(s)"] if violations else []
    if result.errors:
        parts.append(f"{len(result.errors)} error(s)")
    return f"FAILED: {', '.join(parts)} ({cases} cases; rerun with seed {result.seed} to reproduce)."
