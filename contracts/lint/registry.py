"""Lint rules by name: a `RuleRegistry` and its `rule("name")` decorator."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from contracts.errors import DuplicateRuleError
from contracts.findings import Severity
from contracts.specfile import SpecDocument

__all__ = ["Rule", "RuleFunction", "RuleRegistry", "Violation"]


class Violation(NamedTuple):
    """What a rule function yields: where, and what is wrong."""

    pointer: str
    message: str


RuleFunction = Callable[[SpecDocument], Iterable[Violation]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A named check over a whole spec document."""

    name: str
    severity: Severity
    check: RuleFunction

    @property
    def summary(self) -> str:
        """First line of the rule function's docstring."""
        return (self.check.__doc__ or "").strip().split("\n", 1)[0]


class RuleRegistry:
    """An ordered set of rules with unique names; `@registry.rule("name")` adds a function."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            self.add(rule)

    def add(self, rule: Rule) -> None:
        """Register `rule`; a second rule with the same name raises `DuplicateRuleError`."""
        if rule.name in self._rules:
            raise DuplicateRuleError(f"a lint rule named {rule.name!r} is already registered")
        self._rules[rule.name] = rule

    def rule(self, name: str, severity: Severity = Severity.ERROR) -> Callable[[RuleFunction], RuleFunction]:
        """Decorator registering a rule function under `name`."""

        def register(check: RuleFunction) -> RuleFunction:
            self.add(Rule(name, severity, check))
            return check

        return register

    def select(self, names: Iterable[str]) -> RuleRegistry:
        """A new registry with only the named rules (unknown names raise `KeyError`)."""
        return RuleRegistry(self._rules[name] for name in names)

    @property
    def names(self) -> list[str]:
        """Rule names in registration order."""
        return list(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def __len__(self) -> int:
        return len(self._rules)
