"""`contracts diff` on the spec pairs of oasdiff's checker tests (`../shared/conformance/oasdiff`).

Every change oasdiff ranks ERR (breaks clients) must be breaking here, with a change kind the kit accepts for it.
Every other case agrees with oasdiff, or is listed in docs/spec-validation.md's policy table with the reason.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from contracts.diff import diff_files

ROOT = Path(__file__).resolve().parents[3]
KIT = ROOT.parent / "shared" / "conformance" / "oasdiff"
CASES = list(csv.DictReader((KIT / "CASES.tsv").open(), delimiter="\t")) if (KIT / "CASES.tsv").is_file() else []
pytestmark = pytest.mark.skipif(not CASES, reason=f"the oasdiff conformance kit is not at {KIT}")


def policy_cases() -> set[str]:
    """The oasdiff cases named in the first column of the docs' "Where we differ from oasdiff" table."""
    text = (ROOT / "docs" / "spec-validation.md").read_text(encoding="utf-8")
    section = text.split("### Where we differ from oasdiff", 1)[1].split("\n#", 1)[0]
    rows = [row.split("|")[1] for row in section.splitlines() if row.startswith("| `")]
    return {name for cell in rows for name in re.findall(r"`([a-z-]+)`", cell)}


def breaking_kinds(case: dict[str, str]) -> set[str]:
    findings = diff_files(KIT / case["case"] / "base.yaml", KIT / case["case"] / "revision.yaml")
    return {f.rule for f in findings if f.breaking}


@pytest.mark.parametrize("case", [c for c in CASES if c["expected_breaking"] == "yes"], ids=lambda c: c["case"])
def test_breaking_changes_are_breaking_with_a_kind_that_names_them(case: dict[str, str]) -> None:
    kinds = breaking_kinds(case)
    assert kinds & set(case["match_kinds"].split(",")), kinds


@pytest.mark.parametrize("case", [c for c in CASES if c["expected_breaking"] == "no"], ids=lambda c: c["case"])
def test_other_changes_agree_with_oasdiff_or_are_our_documented_policy(case: dict[str, str]) -> None:
    listed = case["case"] in policy_cases()
    assert bool(breaking_kinds(case)) == listed, "listed in the policy table" if listed else "not breaking"


def test_the_policy_table_names_only_cases_of_the_kit() -> None:
    assert policy_cases() <= {c["case"] for c in CASES if c["expected_breaking"] == "no"}
