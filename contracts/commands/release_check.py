"""Before a release: lint every spec in specs/ and diff each against the last git tag (or --since REF).

Exit 1 if any spec has a lint error or a breaking change. Without a tag and without --since, only lints.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contracts.diff import CHANGE_KINDS
from contracts.findings import Finding
from contracts.release import ReleaseReport, SpecReport, release_check

__all__ = ["add_arguments", "execute", "format_report"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `contracts release-check`."""
    parser.add_argument("--since", metavar="REF", help="compare with this git ref (default: the last tag)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


def execute(args: argparse.Namespace) -> int:
    """Run the check in the current directory, print one report, return 1 when it fails."""
    report = release_check(Path.cwd(), since=args.since)
    if args.format == "json":
        sys.stdout.write(json.dumps(_as_dict(report), indent=2) + "\n")
    else:
        sys.stdout.write(format_report(report))
    return 1 if report.failed else 0


def format_report(report: ReleaseReport) -> str:
    """Findings per spec, then a summary line per spec and the verdict."""
    lines = [f"comparing {len(report.specs)} specs with {report.base}" if report.base else f"note: {report.note}"]
    for spec in report.specs:
        findings = [*spec.lint, *spec.changes]
        if findings:
            lines += ["", f"== {spec.path}"] + [finding.format(_label(finding)) for finding in findings]
    lines += ["", "summary:"]
    width = max((len(spec.path) for spec in report.specs), default=0)
    lines += [f"  {spec.path:<{width}}  {_summary(spec)}" for spec in report.specs]
    errors = _plural(sum(spec.lint_errors for spec in report.specs), "lint error")
    breaking = _plural(sum(spec.breaking for spec in report.specs), "breaking change")
    lines += ["", f"release-check: {'FAIL' if report.failed else 'OK'} ({errors}, {breaking})"]
    return "\n".join(lines) + "\n"


def _label(finding: Finding) -> str | None:
    return "non-breaking" if finding.rule in CHANGE_KINDS else None


def _summary(spec: SpecReport) -> str:
    warnings = len(spec.lint) - spec.lint_errors
    lint = f"lint: {_plural(spec.lint_errors, 'error')}, {_plural(warnings, 'warning')}" if spec.lint else "lint: clean"
    if spec.status in ("changed", "removed"):
        changes = f"{spec.status}: {spec.breaking} breaking, {len(spec.changes) - spec.breaking} non-breaking"
    else:
        changes = spec.status
    return f"{lint:<32} {changes}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _as_dict(report: ReleaseReport) -> dict[str, Any]:
    specs = [
        {
            "path": spec.path,
            "status": spec.status,
            "lint": [f.to_dict() for f in spec.lint],
            "changes": [f.to_dict() for f in spec.changes],
        }
        for spec in report.specs
    ]
    return {"base": report.base, "note": report.note, "failed": report.failed, "specs": specs}
