"""docs/contract-testing.md and the README show `contracts proxy` as it is: its options, its checks, exit codes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from contracts.cli import build_parser
from contracts.proxy.validation import CHECKS

REPO = Path(__file__).resolve().parents[3]
DOC = (REPO / "docs" / "contract-testing.md").read_text()
SECTION = DOC.split("## The validating proxy: `contracts proxy`", 1)[1].split("\n## ", 1)[0]


def test_the_documented_usage_matches_the_parser() -> None:
    parser, _ = build_parser()
    proxy = parser._subparsers._group_actions[0].choices["proxy"]  # type: ignore[union-attr]
    known = {option for action in proxy._actions for option in action.option_strings}
    usage = SECTION.split("```", 2)[1]
    assert set(re.findall(r"--[a-z-]+", usage)) == known - {"-h", "--help"}
    example = SECTION.split("```", 4)[3].strip().splitlines()[0]
    parser.parse_args(shlex.split(example)[1:])


def test_the_checks_table_lists_every_check() -> None:
    table = [line for line in SECTION.splitlines() if line.startswith("| `")]
    documented = [name for line in table for name in re.findall(r"`([a-z_]+)`", line.split("|")[1])]
    assert sorted(documented) == sorted(CHECKS)


def test_exit_codes_are_documented_for_both_commands() -> None:
    assert "| **1** | stopped; at least one violation was seen |" in SECTION
    assert "| **2** | did not start" in SECTION
    assert "| **2** | the run **did not test**" in DOC
    readme = (REPO / "README.md").read_text().split("## For CI", 1)[1].split("\n## ", 1)[0]
    assert "contracts proxy --api" in readme and "credentials rejected" in readme
    assert "Exit **0** nothing seen, **1** violations seen, **2** did not start" in readme
    assert "**2** the run did not test" in readme
