"""What a new item looks like: the fresh-object rules, read from field names and schemas, compiled once per resource.

A generated record is schema-valid but may look used: `messageCount: 42`, a `deletedAt`, a `last_error`, a parent
that does not exist, `children: [{}]`. The rules below fix the top-level fields of a new item that the client did
not send (docs/spec-conventions.md, "Fresh objects"):

| kind | fields (by name words and type) | new item | seeded item |
|---|---|---|---|
| counter | integer `*Count`, `*_total`, `total*`, `num*`, `*Used`; `pin*` integers | 0 (or `minimum`) | kept |
| ended | timestamps named deleted/archived/closed/ended/completed/cancelled/... | null / absent | deleted only |
| last | `last_*` / `last*` (not `last_name`) | null / absent | kept |
| error | `error`, `*_error`, `errors`, `failure*` | null / absent / `[]` / false | kept |
| parent | `parent*`, `root_*_id` | null / absent | null / absent |
| flag | booleans archived/deleted/closed/locked/pinned/starred/hidden/unread/... | false | deleted only |
| children | arrays `children`/`replies`/..., of the item's own type, or named after a resource | `[]` | `[]` |
| warnings | arrays `warnings`/`alerts`/`notices` | `[]` / absent | `[]` / absent |
| status | a string enum named `*status`/`*state`/`*stage`/`*phase` | the initial state | kept |
| progress | objects named `*status`, numbers named rating/score/average | absent | kept |

"null / absent": null when the schema allows it, else absent when the field is optional, else left as generated.
A value a rule picks that the field's schema refuses is never used. The initial state of a status enum is the
schema's `x-mock: {initial: VALUE}`, else the first of `INITIAL_STATES` the enum has. A create operation's
`x-mock.fresh` overrides the rules: `{set: {field: value}, keep: [field]}`, or `false` for none at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mock_server.schemas import is_valid

__all__ = ["ABSENT", "EMPTY_PLAN", "INITIAL_STATES", "FreshPlan", "compile_fresh", "initial_state", "name_words"]

INITIAL_STATES = ("pending", "new", "created", "queued", "draft", "open", "not_started", "initializing",
                  "initialized", "waiting", "idle", "ready", "active", "todo")
ABSENT: Any = object()  # a plan value: remove the field
_NO_RULE: Any = object()

_COUNTER_LAST = {"count", "counter", "total", "used"}
_COUNTER_FIRST = {"total", "num", "number"}
_ENDED = {"deleted", "archived", "closed", "ended", "completed", "finished", "cancelled", "canceled", "revoked",
          "removed", "resolved", "expired"}
_GONE = {"deleted", "removed", "revoked"}  # a stored, listed item is never one of these
_FLAGS = {"archived", "deleted", "closed", "locked", "pinned", "starred", "favorite", "favorited", "hidden",
          "disabled", "blocked", "banned", "unread", "removed"}
_ERRORS = {"error", "errors", "failure", "failures"}
_CHILDREN = {"children", "replies", "descendants", "subitems", "subtasks"}
_WARNINGS = {"warnings", "alerts", "notices"}
_STATES = {"status", "state", "stage", "phase"}
_SCORES = {"rating", "score", "average"}
_TIME_WORDS = {"at", "on", "time", "date", "timestamp"}


@dataclass(frozen=True, slots=True)
class FreshPlan:
    """The fixed values (or `ABSENT`) of one resource's new items, and the fields not worth generating."""

    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def omit(self) -> frozenset[str]:
        return frozenset(self.values)

    def apply(self, data: dict[str, Any], given: Iterable[str] = ()) -> None:
        """Set (or remove) every planned field the caller did not give."""
        skip = set(given)
        for key, value in self.values.items():
            if key in skip:
                continue
            if value is ABSENT:
                data.pop(key, None)
            else:
                data[key] = list(value) if isinstance(value, list) else value


EMPTY_PLAN = FreshPlan()


def name_words(name: str) -> tuple[str, ...]:
    """`messageCount` -> (message, count); `last_error` -> (last, error)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return tuple(w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w)


def initial_state(schema: Mapping[str, Any]) -> Any:
    """The state a new item of a status enum starts in: `x-mock.initial`, else the first known starting word."""
    declared = (schema.get("x-mock") or {}).get("initial") if isinstance(schema.get("x-mock"), Mapping) else None
    options = [v for v in schema.get("enum") or () if v is not None]
    if declared is not None and declared in options:
        return declared
    lowered = {str(v).lower(): v for v in options}
    return next((lowered[word] for word in INITIAL_STATES if word in lowered), None)


def compile_fresh(schema: Mapping[str, Any], *, resources: Iterable[str] = (), seeded: bool = False,
                  overrides: Any = None) -> FreshPlan:
    """The plan for new items of a resource stored as `schema` (`seeded`: generated start-up data)."""
    if overrides is False or not isinstance(schema, Mapping):
        return EMPTY_PLAN
    overrides = overrides if isinstance(overrides, Mapping) else {}
    keep = set(overrides.get("keep") or ())
    props: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    names = {r.lower() for r in resources}
    own = frozenset(props)
    values: dict[str, Any] = {}
    for key, sub in props.items():
        if key in keep or not isinstance(sub, Mapping):
            continue
        value = _rule(key, sub, key in required, seeded, names, own)
        if value is not _NO_RULE and (value is ABSENT or is_valid(value, sub)):
            values[key] = value
    for key, value in (overrides.get("set") or {}).items():
        values[key] = value
    return FreshPlan(values) if values else EMPTY_PLAN


def _rule(key: str, sub: Mapping[str, Any], required: bool, seeded: bool, resources: set[str],
          own: frozenset[str]) -> Any:
    """The fresh value of one field, `ABSENT`, or `_NO_RULE`."""
    words = name_words(key)
    if not words:
        return _NO_RULE
    kind = sub.get("type") or ("object" if "properties" in sub else None)
    first, last = words[0], words[-1]
    wordset = set(words)
    if kind == "array":
        items = sub.get("items") if isinstance(sub.get("items"), Mapping) else {}
        if sub.get("minItems"):
            return _NO_RULE
        own_type = bool(items.get("x-recursive")) or bool(own) and set(items.get("properties") or {}) == own
        if first in _CHILDREN or own_type or key.lower() in resources:
            return []
        if first in _WARNINGS or (wordset & _ERRORS and not seeded):
            return [] if required else ABSENT
        if first == "last" and not seeded:
            return [] if required else ABSENT
        return _NO_RULE
    if kind == "boolean":
        return False if wordset & (_GONE if seeded else _FLAGS | _ERRORS) else _NO_RULE
    if first == "parent" or (first == "root" and last == "id" and len(words) > 2):
        return _nothing(sub, required)
    if wordset & (_GONE if seeded else _ENDED) and _is_time(sub, words):
        return _nothing(sub, required)
    if kind in ("integer", "number"):
        if seeded:
            return _NO_RULE
        if last in _COUNTER_LAST or first in _COUNTER_FIRST or first in ("pin", "pinned"):
            return max(0, sub.get("minimum") or 0)
        if kind == "number" and wordset & _SCORES:
            return _nothing(sub, required)
        return _NO_RULE
    if seeded:
        return _NO_RULE
    if first == "last" and (len(words) < 2 or words[1] != "name"):
        return _nothing(sub, required)
    if wordset & _ERRORS:
        return _nothing(sub, required)
    if last in _STATES and "enum" in sub:
        state = initial_state(sub)
        return _NO_RULE if state is None else state
    if last in _STATES and kind == "object":
        return _nothing(sub, required)
    return _NO_RULE


def _nothing(sub: Mapping[str, Any], required: bool) -> Any:
    """null when the schema allows it, else absent when the field is optional, else no rule."""
    if sub.get("nullable"):
        return None
    return _NO_RULE if required else ABSENT


def _is_time(sub: Mapping[str, Any], words: tuple[str, ...]) -> bool:
    """A timestamp (a string with a date format, or a name like `deleted_at`), not a flag or a reason."""
    return sub.get("format") in ("date-time", "date") or bool(set(words) & _TIME_WORDS)
