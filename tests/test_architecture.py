"""The generic machinery knows no vendor: no spec name or vendor word in mock_server/ or contracts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VENDOR_WORDS = ("pulumi", "pulze", "microvisualizer", "devs.ai", "coder-session", r"\bcoder\b", "copilot")


def _names() -> list[str]:
    return [p.stem for p in (REPO / "specs").glob("*.yaml")] + list(VENDOR_WORDS)


@pytest.mark.parametrize("package", ["mock_server", "contracts"])
def test_generic_code_names_no_vendor(package: str) -> None:
    offenders = []
    for source in sorted((REPO / package).rglob("*.py")):
        text = source.read_text().lower()
        for name in _names():
            if re.search(name if name.startswith("\\") else re.escape(name.lower()), text):
                offenders.append(f"{source.relative_to(REPO)}: {name}")
    assert offenders == []


def test_mock_server_never_imports_contracts() -> None:
    for source in (REPO / "mock_server").rglob("*.py"):
        assert not re.search(r"^\s*(from|import) contracts\b", source.read_text(), re.M), source
