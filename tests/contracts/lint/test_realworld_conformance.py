"""`contracts lint` and `contracts diff` on public real-world documents (`../shared/conformance/realworld`).

The 3.0 documents may fail the lint only where Spectral 6 (`spectral:oas`, run by hand on the same files) reports
an error too; the 3.1 documents lint and diff like any other.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts.diff import diff_files
from contracts.findings import Severity
from contracts.lint import lint_file

KIT = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "realworld"
SPECS_30 = sorted((KIT / "specs").glob("*.yaml")) + sorted((KIT / "specs").glob("*.json"))
SPECS_31 = sorted((KIT / "specs-3.1").glob("*.yaml"))
pytestmark = pytest.mark.skipif(not SPECS_30, reason=f"the real-world conformance kit is not at {KIT}")

# The errors Spectral 6.15 reports on these files (`spectral lint -r <extends: spectral:oas>`): every other
# document it passes without an error.
SPECTRAL_ERRORS = {
    "resend.yaml": [
        "/components/schemas/GetReceivedEmailResponse/properties/created_at/example",
        "/components/schemas/SendEmailRequest/properties/template/description",
        "/components/schemas/TemplateVariable/properties/fallback_value/oneOf/4",
        "/components/schemas/TemplateVariableInput/properties/fallback_value/oneOf/4",
        "/paths/~1audiences~1{audience_id}~1contacts~1{id}",
    ],
    "twilio-events.json": [
        f"/paths/~1v1~1Sinks{path}/responses/{code}/content/application~1json/examples/{name}/value"
        for path, code, name in [
            ("/get", 200, "readEmpty"),
            ("/get", 200, "readResults"),
            ("/get", 200, "readResultsInUse"),
            ("/get", 200, "readResultsStatus"),
            ("/post", 201, "create"),
            ("/post", 201, "createSegment"),
            ("~1{Sid}/get", 200, "fetch"),
            ("~1{Sid}/post", 200, "update"),
        ]
    ],
    "typesense.yaml": [
        "/components/schemas/SearchHighlight/properties/indices/example",
        "/components/schemas/SearchResultHit/example/highlights",
        "/components/schemas/StopwordsSetRetrieveSchema/example",
        "/components/schemas/StopwordsSetSchema/example",
        "/components/schemas/StopwordsSetUpsertSchema/example",
        "/components/schemas/StopwordsSetsRetrieveAllSchema/example",
        "/paths/~1collections~1{collectionName}~1documents/post/parameters/1/schema/example",
        "/paths/~1collections~1{collectionName}~1documents/post/parameters/1/schema/type",
        "/paths/~1config/post/requestBody/content/application~1json/schema/example",
        "/paths/~1stopwords~1{setId}/delete/responses/200/content/application~1json/schema/example",
    ],
    "vonage-subaccounts.yaml": [
        "/components/schemas/TransferBalanceOrCreditRequest/properties/amount/example",
        "/components/schemas/TransferNumberRequest/properties/number/example",
    ],
}

# where an example value starts: Spectral stops at an example's first mismatch, we report each one
_VALUE_ROOT = re.compile(r"^(.*?/(?:example|default|examples/[^/]+/value|examples/\d+))(?:/|$)")


def same_problem(ours: str, theirs: str) -> bool:
    """The same place, one inside the other, or inside the same example value."""
    if ours == theirs or ours.startswith(theirs + "/") or theirs.startswith(ours + "/"):
        return True
    root = _VALUE_ROOT.match(ours)
    return root is not None and theirs.startswith(root.group(1))


@pytest.mark.parametrize("path", SPECS_30, ids=lambda path: path.name)
def test_errors_are_the_ones_spectral_reports(path: Path) -> None:
    expected = SPECTRAL_ERRORS.get(path.name, [])
    errors = [f for f in lint_file(path) if f.severity is Severity.ERROR]
    assert [f.format() for f in errors if not any(same_problem(f.pointer, p) for p in expected)] == []
    if (
        path.name != "twilio-events.json"
    ):  # Spectral's are `nullable` without `type` inside the schemas, not the examples
        assert [p for p in expected if not any(same_problem(f.pointer, p) for f in errors)] == []


@pytest.mark.parametrize("path", SPECS_31, ids=lambda path: path.name)
def test_openapi_31_documents_lint_and_diff(path: Path) -> None:
    assert [f.format() for f in lint_file(path) if f.severity is Severity.ERROR] == []
    assert diff_files(path, path) == []


def test_a_31_conversion_changes_nothing_for_clients() -> None:
    """Conduit's 3.1 document is its 3.0 one converted (version, server): the same API."""
    assert diff_files(KIT / "specs" / "conduit.yaml", KIT / "specs-3.1" / "conduit.yaml") == []
