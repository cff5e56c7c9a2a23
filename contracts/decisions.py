"""Which constraints of a spec are decisions (`x-decision`) rather than documented facts, and whether a
violation rests only on decisions.

The rule (docs/contract-testing.md, "Assumptions"):

- A **constraint** is a validation keyword of a schema object: `format`, `minimum`, `maximum`, `exclusiveMinimum`,
  `exclusiveMaximum`, `multipleOf`, `minLength`, `maxLength`, `pattern`, `enum`, `minItems`, `maxItems`,
  `uniqueItems`, `minProperties`, `maxProperties`, `required`, `additionalProperties`; or the `required` flag of
  a parameter or header.
- A constraint is a **decision** when the object that declares it carries `x-decision`: the schema object itself
  (a component schema, a property's schema, an `items` schema...), or, for the keywords of a parameter's or a
  header's own `schema`, that parameter or header object. Nothing is inherited: a decision on an object schema
  does not cover the keywords of its properties, and a `$ref`'d schema is judged by its own node (plus the node
  that holds the `$ref`, where the `x-decision` was written next to it).
- `x-decision-keywords: [format, maximum]` next to the `x-decision` narrows it to those keywords (use it when the
  node also holds documented constraints); `[]` says the note decides no constraint (a name, a modelling choice).
  It may also name `type`, and on a parameter or header `required` (whether it must be present): neither is ever
  a decision otherwise.
- A violation **rests only on decisions** when the value it is about fails at least one keyword and every keyword
  it fails is a decision. One documented constraint broken, and it is a fact.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from contracts.specfile import SpecDocument, join_pointer
from contracts.validation import SchemaError

__all__ = ["CONSTRAINT_KEYWORDS", "Decision", "Decisions"]

CONSTRAINT_KEYWORDS = frozenset(
    {
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "required",
        "additionalProperties",
    }
)
_NOTE_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Decision:
    """An `x-decision` on one spec node: the keywords it covers, its note, and where it is written."""

    pointer: str
    keywords: frozenset[str]
    note: str
    line: int | None = None
    presence: bool = False  # on a parameter or header: whether its `required` flag is decided (named explicitly)
    broken: frozenset[str] = frozenset()  # in a verdict: the keywords the value failed

    def covers(self, keyword: str) -> bool:
        return keyword in self.keywords

    def location(self, spec_name: str) -> str:
        """`specs/x.yaml:509 #/components/parameters/pageSize` (the line when known)."""
        line = f":{self.line}" if self.line is not None else ""
        return f"{spec_name}{line} #{self.pointer}"


class Decisions:
    """Every `x-decision` of a spec, indexed by the schema node (and the parameter or header) it covers."""

    def __init__(self, document: SpecDocument) -> None:
        self.spec_name = document.name
        self._by_schema: dict[str, Decision] = {}
        self._by_parameter: dict[str, Decision] = {}
        for pointer, node in _mappings(document.data, ""):
            if "x-decision" not in node:
                continue
            named = _keywords(node)
            decision = Decision(pointer, CONSTRAINT_KEYWORDS if named is None else named, _note(node["x-decision"]),
                                document.line_of(pointer), presence=named is not None and "required" in named)
            if _is_parameter_or_header(node, pointer):
                self._by_parameter[pointer] = decision
                self._by_schema[join_pointer(pointer, "schema")] = decision
            else:
                self._by_schema[pointer] = decision

    def __len__(self) -> int:
        return len({decision.pointer for decision in (*self._by_schema.values(), *self._by_parameter.values())})

    def for_error(self, error: SchemaError) -> Decision | None:
        """The decision covering this failed keyword, if any (any node of its `$ref` chain may carry it)."""
        for pointer in error.nodes:
            decision = self._by_schema.get(pointer)
            if decision is not None and decision.covers(error.keyword):
                return decision
        return None

    def for_missing(self, parameter_pointer: str) -> Decision | None:
        """The decision covering the `required` flag of a parameter or header object, if any."""
        decision = self._by_parameter.get(parameter_pointer)
        return decision if decision is not None and decision.presence else None

    def attribute(self, findings: Sequence[SchemaError | Decision | None]) -> tuple[Decision, ...] | None:
        """The decisions a violation rests on, when it rests on decisions only; else `None`.

        `findings` are the failed keywords of the value (a `SchemaError`), or a missing required parameter or
        header already looked up (its `Decision`, or `None` when the flag is documented)."""
        if not findings:
            return None
        found: dict[str, Decision] = {}
        for finding in findings:
            decision = self.for_error(finding) if isinstance(finding, SchemaError) else finding
            if decision is None:
                return None
            keyword = finding.keyword if isinstance(finding, SchemaError) else "required"
            known = found.get(decision.pointer, decision)
            found[decision.pointer] = replace(known, broken=known.broken | {keyword})
        return tuple(found.values())


def _keywords(node: Mapping[str, Any]) -> frozenset[str] | None:
    """The keywords `x-decision-keywords` names, or `None` when it is absent."""
    narrowed = node.get("x-decision-keywords")
    if isinstance(narrowed, list):
        return frozenset(str(keyword) for keyword in narrowed)
    return None


def _note(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= _NOTE_LIMIT else text[: _NOTE_LIMIT - 3] + "..."


def _is_parameter_or_header(node: Mapping[str, Any], pointer: str) -> bool:
    if "in" in node and "name" in node:
        return True
    # A header object sits in a `headers` map (of a response, or `components/headers`) and has a `schema`.
    tokens = pointer.split("/")
    return len(tokens) >= 3 and tokens[-2] == "headers" and "schema" in node


def _mappings(node: Any, pointer: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every mapping of the document (outside `x-` extensions) with its pointer."""
    if isinstance(node, Mapping):
        yield pointer, node
        for key, child in node.items():
            if isinstance(child, (Mapping, list)) and not str(key).startswith("x-"):
                yield from _mappings(child, join_pointer(pointer, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _mappings(child, join_pointer(pointer, index))
