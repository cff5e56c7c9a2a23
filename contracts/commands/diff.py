"""Compare two versions of a spec and report every change, breaking or not; exit 1 if any is breaking.

OLD and NEW are spec files or `git:REF:path` (read with `git show REF:path`). `--format markdown` writes a table for a
pull-request comment, breaking changes first.
"""

from __future__ import annotations

import argparse
import json
import sys

from contracts.diff import diff_files
from contracts.findings import Finding

__all__ = ["add_arguments", "execute", "format_markdown", "format_summary", "format_text"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `contracts diff`."""
    parser.add_argument("old", metavar="OLD", help="the previous spec: a file or git:REF:path")
    parser.add_argument("new", metavar="NEW", help="the new spec: a file or git:REF:path")
    parser.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format (default: text)"
    )


def execute(args: argparse.Namespace) -> int:
    """Diff, print the changes, and return 1 if any is breaking."""
    findings = diff_files(args.old, args.new)
    if args.format == "json":
        document = {"old": args.old, "new": args.new, "changes": [f.to_dict() for f in findings]}
        document["summary"] = {"breaking": _breaking(findings), "non_breaking": len(findings) - _breaking(findings)}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(format_markdown(findings, args.old, args.new))
    else:
        sys.stdout.write(format_text(findings))
    return 1 if _breaking(findings) else 0


def format_text(findings: list[Finding]) -> str:
    """One line per change, then a summary line."""
    lines = [finding.format("non-breaking") for finding in findings]
    return "".join(line + "\n" for line in lines) + format_summary(findings) + "\n"


def format_summary(findings: list[Finding]) -> str:
    """`3 changes: 1 breaking, 2 non-breaking` (or `no changes`)."""
    if not findings:
        return "no changes"
    breaking = _breaking(findings)
    total = f"{len(findings)} change{'s' if len(findings) != 1 else ''}"
    return f"{total}: {breaking} breaking, {len(findings) - breaking} non-breaking"


def format_markdown(findings: list[Finding], old: str, new: str) -> str:
    """A pull-request comment: a heading, a verdict and a table of changes, breaking first."""
    lines = [f"### API changes: `{old}` → `{new}`", ""]
    if not findings:
        return "\n".join([*lines, "No changes.", ""])
    breaking = _breaking(findings)
    verdict = f"**{breaking} breaking change{'s' if breaking != 1 else ''}**" if breaking else "No breaking changes"
    lines += [f"{verdict}, {len(findings) - breaking} non-breaking.", ""]
    lines += ["| | Change | Where | Details |", "|---|---|---|---|"]
    for finding in sorted(findings, key=lambda f: not f.breaking):
        mark = "**breaking**" if finding.breaking else "non-breaking"
        where = f"`{finding.location}`"
        lines.append(f"| {mark} | `{finding.rule}` | {where} | {_cell(finding.message)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _breaking(findings: list[Finding]) -> int:
    return sum(finding.breaking for finding in findings)
