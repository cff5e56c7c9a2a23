"""What a contract run found, as plain data: per operation the cases sent, the violations (facts broken), the
assumptions contradicted (decisions broken, warnings), and whether the run tested anything at all.

Exit codes: 0 the server kept the contract; 1 violations or errors; 2 the run did not test (every valid case of an
operation answered 401/403, or no operation answered a single 2xx), unless `allow_unauthenticated` was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.decisions import Decision

__all__ = ["NOT_TESTED_EXIT_CODE", "OperationOutcome", "RunResult", "RunWarning", "Violation"]

NOT_TESTED_EXIT_CODE = 2


@dataclass(frozen=True, slots=True)
class Violation:
    """One kind of contract violation found on one operation, with its first reproduction. `decisions` are the
    spec's decisions it rests on, when it rests on nothing else (then it is an assumption, not a failure)."""

    operation: str
    check: str
    title: str
    message: str
    reproduction: str
    status: int | None
    body: str
    occurrences: int = 1
    found_after: float = 0.0
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True, slots=True)
class OperationOutcome:
    """How many cases an operation was sent and what they revealed. `auth_rejected`: every valid case it was
    sent was answered 401 or 403."""

    label: str
    cases: int
    violations: tuple[Violation, ...] = ()
    assumptions: tuple[Violation, ...] = ()
    auth_rejected: bool = False


@dataclass(frozen=True, slots=True)
class RunWarning:
    """A warning of Schemathesis' own (missing_auth, missing_test_data, validation_mismatch, ...)."""

    kind: str
    operations: tuple[str, ...]
    message: str


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything a contract run found."""

    spec: str
    base_url: str
    seed: int
    operations: tuple[OperationOutcome, ...]
    errors: tuple[str, ...]
    skipped: tuple[str, ...]
    elapsed: float
    junit_xml: str
    warnings: tuple[RunWarning, ...] = ()
    served_any: bool = True
    credentials: str = ""
    allow_unauthenticated: bool = False
    strict: bool = False

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(violation for outcome in self.operations for violation in outcome.violations)

    @property
    def assumptions(self) -> tuple[Violation, ...]:
        """Violations resting only on the spec's decisions (empty under `strict`: they are violations then)."""
        return tuple(assumption for outcome in self.operations for assumption in outcome.assumptions)

    @property
    def rejected(self) -> tuple[str, ...]:
        """Operations whose every valid case was answered 401/403."""
        return tuple(outcome.label for outcome in self.operations if outcome.auth_rejected)

    @property
    def not_tested(self) -> bool:
        """The run did not test the server (credentials rejected, or nothing ever served), and that counts."""
        return not self.allow_unauthenticated and (bool(self.rejected) or not self.served_any)

    @property
    def passed(self) -> bool:
        return not self.violations and not self.errors and not self.not_tested

    @property
    def exit_code(self) -> int:
        if self.not_tested:
            return NOT_TESTED_EXIT_CODE
        return 0 if self.passed else 1

