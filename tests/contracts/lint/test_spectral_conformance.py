"""`contracts lint` on the documents made from the tests of Spectral's `oas` ruleset (`../shared/conformance/spectral`).

Each problem document must fail at the problem's pointer (with an error where Spectral ranks the rule `error`, at
least a warning where it ranks it `warn`); each valid document must lint without errors. In-process, so it stays fast.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from contracts.findings import Finding, Severity
from contracts.lint import lint_file

KIT = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "spectral"
CASES = list(csv.DictReader((KIT / "CASES.tsv").open(), delimiter="\t")) if (KIT / "CASES.tsv").is_file() else []
pytestmark = pytest.mark.skipif(not CASES, reason=f"the Spectral conformance kit is not at {KIT}")

_VAGUE = ("matches none of the allowed forms", "matches more than one of the allowed forms")


def at_problem(finding: Finding, expected: str) -> bool:
    """The finding's pointer is the problem's, inside it, or a specific enough ancestor (the kit's own rule)."""
    return any(
        pointer == finding.pointer
        or finding.pointer.startswith(pointer + "/")
        or (pointer.startswith(finding.pointer + "/") and finding.pointer.count("/") >= 2)
        for pointer in expected.split("|")
        if pointer
    )


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "invalid"], ids=lambda c: c["file"])
def test_problem_documents_fail_at_the_problem(case: dict[str, str]) -> None:
    findings = [f for f in lint_file(KIT / case["file"]) if at_problem(f, case["expect_pointer"])]
    wanted = {Severity.ERROR} if case["spectral_severity"] == "error" else {Severity.ERROR, Severity.WARNING}
    assert any(f.severity in wanted for f in findings), [f.format() for f in findings]
    assert not [f.message for f in findings if f.message.startswith(_VAGUE)]


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "valid"], ids=lambda c: c["file"])
def test_valid_documents_have_no_errors(case: dict[str, str]) -> None:
    assert [f.format() for f in lint_file(KIT / case["file"]) if f.severity is Severity.ERROR] == []


def test_the_kit_is_complete() -> None:
    assert (sum(c["kind"] == "invalid" for c in CASES), sum(c["kind"] == "valid" for c in CASES)) == (78, 48)
