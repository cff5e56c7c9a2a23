"""docs/spec-validation.md names every lint rule and every diff change kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.diff import CHANGE_KINDS
from contracts.lint import DEFAULT_RULES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "spec-validation.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [*DEFAULT_RULES.names, "yaml-syntax", "lint-config", *CHANGE_KINDS])
def test_documented(name: str) -> None:
    assert f"`{name}`" in DOC
