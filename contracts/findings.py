"""`Finding`: the one result type of lint, diff and release-check, plus its `Severity`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Finding", "Severity", "has_failures"]


class Severity(StrEnum):
    """How much a finding matters: only errors fail a command."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (lint) or one change (diff) at a JSON pointer of a spec file.

    Diff findings set `breaking`; a breaking change has severity error, any other change severity info.
    """

    file: str
    pointer: str
    line: int | None
    rule: str
    severity: Severity
    message: str
    breaking: bool = False

    @property
    def location(self) -> str:
        """`file:line`, or just `file` when the line is unknown."""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def format(self, label: str | None = None) -> str:
        """One line: `file:line: pointer [rule] severity: message` (`BREAKING` for breaking changes, or `label`)."""
        label = "BREAKING" if self.breaking else label or self.severity.value
        return f"{self.location}: {self.pointer or '/'} [{self.rule}] {label}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return {
            "file": self.file,
            "line": self.line,
            "pointer": self.pointer,
            "rule": self.rule,
            "severity": self.severity.value,
            "breaking": self.breaking,
            "message": self.message,
        }


def has_failures(findings: list[Finding]) -> bool:
    """Whether any finding is an error (which includes every breaking change)."""
    return any(finding.severity is Severity.ERROR for finding in findings)
