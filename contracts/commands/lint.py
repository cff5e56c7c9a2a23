"""Lint OpenAPI specs: structure, $refs, examples and the project's rules; exit 1 on any error.

Each finding is one line `file:line: pointer [rule] severity: message`. A spec turns rules off with a root
`x-lint-ignore: [rule-name, ...]`. Warnings do not fail the run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from contracts.errors import UsageError
from contracts.findings import Finding, Severity, has_failures
from contracts.lint import lint_file
from contracts.specfile import SPECS_DIR, discover_specs

__all__ = ["add_arguments", "execute", "format_summary", "lint_sources"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `contracts lint`."""
    parser.add_argument(
        "specs", nargs="*", metavar="SPEC", help=f"spec files or git:REF:path (default: {SPECS_DIR}/*.yaml)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


def execute(args: argparse.Namespace) -> int:
    """Lint, print the findings, and return 1 if any is an error."""
    cwd = Path.cwd()
    sources: list[str] = list(args.specs) or [path.relative_to(cwd).as_posix() for path in discover_specs(cwd)]
    if not sources:
        raise UsageError(f"no specs given and no {SPECS_DIR}/*.yaml in {cwd}")
    findings = lint_sources(sources)
    if args.format == "json":
        document = {"files": sources, "findings": [f.to_dict() for f in findings], "summary": _counts(findings)}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        lines = [finding.format() for finding in findings]
        sys.stdout.write("".join(line + "\n" for line in lines) + format_summary(len(sources), findings) + "\n")
    return 1 if has_failures(findings) else 0


def lint_sources(sources: list[str]) -> list[Finding]:
    """Findings of every source, file by file."""
    return [finding for source in sources for finding in lint_file(source)]


def format_summary(files: int, findings: list[Finding]) -> str:
    """`linted 3 specs: 1 error, 2 warnings`."""
    counts = _counts(findings)
    parts = [_plural(counts[severity.value], severity.value) for severity in (Severity.ERROR, Severity.WARNING)]
    return f"linted {_plural(files, 'spec')}: {', '.join(parts)}"


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {severity.value: sum(f.severity is severity for f in findings) for severity in Severity}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
