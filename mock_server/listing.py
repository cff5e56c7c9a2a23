"""What a list request selects beyond its scope: filters from query parameters, sort order, id cursors.

Compiled once from `x-mock` (`filters`, `sort`, `cursor`, `where`) when the spec is loaded. A request that uses
none of them is paged by the store (O(page)); one that does is answered from the scope's items, capped at
`SCAN_LIMIT`, filtered, sorted and cut here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mock_server.errors import SpecError
from mock_server.pointers import get_pointer
from mock_server.store import Record

__all__ = ["SCAN_LIMIT", "FieldMatch", "ListRules", "compile_list_rules", "values_equal"]

SCAN_LIMIT = 10_000
MATCHES = ("equals", "in", "contains", "prefix", "search", "label")
_MISSING = object()


def values_equal(stored: Any, wanted: Any) -> bool:
    """Equality between a stored value and a query value (a string, or parsed by the spec): `"true"` equals
    `True`, `"3"` equals `3`; a list of wanted values matches any of them."""
    if isinstance(wanted, list):
        return any(values_equal(stored, one) for one in wanted)
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return str(stored).lower() == str(wanted).lower()
    if isinstance(stored, (int, float)) and not isinstance(stored, bool):
        try:
            return float(stored) == float(wanted)
        except (TypeError, ValueError):
            return False
    return stored == wanted if isinstance(stored, str) == isinstance(wanted, str) else str(stored) == str(wanted)


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """How one wanted value is compared with one or more stored fields."""

    pointers: tuple[str, ...]
    match: str = "equals"

    def accepts(self, data: Mapping[str, Any], wanted: Any) -> bool:
        if self.match == "label":
            return _labels_match(get_pointer(data, self.pointers[0]), wanted)
        if self.match == "search":
            words = str(wanted).lower().split()
            texts = [_text(get_pointer(data, p)) for p in self.pointers]
            return all(any(word in text for text in texts) for word in words)
        if self.match == "in" and isinstance(wanted, str):
            wanted = [piece.strip() for piece in wanted.split(",") if piece.strip()]
        return any(self._one(get_pointer(data, p, _MISSING), wanted) for p in self.pointers)

    def _one(self, stored: Any, wanted: Any) -> bool:
        if stored is _MISSING:
            return False
        if isinstance(wanted, list) and self.match in ("contains", "prefix"):
            return any(self._one(stored, one) for one in wanted)
        if self.match == "contains":
            return str(wanted).lower() in _text(stored)
        if self.match == "prefix":
            return _text(stored).startswith(str(wanted).lower())
        if isinstance(stored, list):
            return any(values_equal(one, wanted) for one in stored)
        return values_equal(stored, wanted)


@dataclass(frozen=True, slots=True)
class QueryFilter:
    """One query parameter and what it keeps: a field match, or `key:value` search terms (`terms`)."""

    param: str
    rule: FieldMatch | None = None
    terms: Mapping[str, FieldMatch] | None = None

    def accepts(self, data: Mapping[str, Any], raw: Any) -> bool:
        if self.terms is None:
            return self.rule is None or self.rule.accepts(data, raw)
        wanted: dict[str, list[str]] = {}
        for text in raw if isinstance(raw, list) else [raw]:
            for key, value in _terms(str(text)):
                if key in self.terms:  # unknown keys and bare words are ignored: no valid value is refused
                    wanted.setdefault(key, []).append(value)
        return all(self.terms[key].accepts(data, values if len(values) > 1 else values[0])
                   for key, values in wanted.items())


@dataclass(frozen=True, slots=True)
class SortRule:
    """`param` holds `[+|-]field` (ascending by default); `default` applies when the request gives none."""

    param: str | None
    fields: Mapping[str, str] | None
    default: tuple[str, bool] | None  # (pointer, descending)
    direction_param: str | None = None

    def order(self, query: Mapping[str, Any]) -> tuple[str, bool] | None:
        raw = query.get(self.param) if self.param else None
        if isinstance(raw, str) and raw.strip():
            pointer, descending = self._parse(raw.strip())
            if pointer is not None:
                direction = query.get(self.direction_param) if self.direction_param else None
                if isinstance(direction, str) and direction.lower() in ("asc", "desc"):
                    descending = direction.lower() == "desc"
                return pointer, descending
        return self.default

    def _parse(self, text: str) -> tuple[str | None, bool]:
        descending = text.startswith("-")
        name = text.lstrip("+-").strip()
        if self.fields is not None:
            return self.fields.get(name), descending
        return ("/" + name if name else None), descending


@dataclass(frozen=True, slots=True)
class CursorRule:
    """Id cursors: items whose `pointer` is below `before` / above `after` (the query parameters named)."""

    pointer: str
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True, slots=True)
class ListRules:
    """Everything that narrows or orders one list operation."""

    filters: tuple[QueryFilter, ...] = ()
    where: Mapping[str, Any] | None = None
    sort: SortRule | None = None
    cursor: CursorRule | None = None
    params: frozenset[str] = frozenset()  # the query parameters these rules read (not plain equality filters)
    always: bool = False  # a fixed filter or a default order: every request is a scan

    def active(self, query: Mapping[str, Any]) -> bool:
        """Whether this request needs the scan (otherwise the store pages it)."""
        if self.always:
            return True
        for name in self.params:
            if query.get(name) not in (None, "", []):
                return True
        return False

    def select(self, records: Iterable[Record], query: Mapping[str, Any]) -> list[Record]:
        kept = []
        given = [(f, query[f.param]) for f in self.filters if query.get(f.param) not in (None, "", [])]
        bounds = self._bounds(query)
        for record in records:
            data = record.data
            if self.where and not all(values_equal(data.get(k), v) for k, v in self.where.items()):
                continue
            if not all(f.accepts(data, raw) for f, raw in given):
                continue
            if bounds and not _within(get_pointer(data, bounds[0]), bounds[1], bounds[2]):
                continue
            kept.append(record)
        order = self.sort.order(query) if self.sort is not None else None
        if order is not None:
            kept = _sorted(kept, *order)
        return kept

    def _bounds(self, query: Mapping[str, Any]) -> tuple[str, Any, Any] | None:
        c = self.cursor
        if c is None:
            return None
        before = query.get(c.before) if c.before else None
        after = query.get(c.after) if c.after else None
        # A cursor of 0 means "none" (as an unset int64 does in most APIs).
        before = None if before in (None, "", 0, "0") else before
        after = None if after in (None, "", 0, "0") else after
        return (c.pointer, before, after) if before is not None or after is not None else None


def compile_list_rules(x_mock: Mapping[str, Any], where: str) -> ListRules | None:
    """The `filters`/`sort`/`cursor`/`where` of a list operation's `x-mock`, or None when it has none."""
    if not any(key in x_mock for key in ("filters", "sort", "cursor", "where")):
        return None
    filters = tuple(_filter(name, raw, f"{where}.filters.{name}")
                    for name, raw in (x_mock.get("filters") or {}).items())
    sort, cursor = _sort(x_mock.get("sort"), where), _cursor(x_mock.get("cursor"), where)
    params = {f.param for f in filters}
    if sort is not None:
        params |= {n for n in (sort.param, sort.direction_param) if n}
    if cursor is not None:
        params |= {n for n in (cursor.before, cursor.after) if n}
    fixed = x_mock.get("where") or None
    return ListRules(filters=filters, where=fixed, sort=sort, cursor=cursor, params=frozenset(params),
                     always=bool(fixed) or (sort is not None and sort.default is not None))


def _filter(param: str, raw: Any, where: str) -> QueryFilter:
    if raw is None or raw is True:
        return QueryFilter(param, FieldMatch(("/" + param,)))
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}: expected an object, got {raw!r}")
    if "terms" in raw:
        return QueryFilter(param, terms={key: _match(sub, f"{where}.terms.{key}", key)
                                         for key, sub in (raw["terms"] or {}).items()})
    return QueryFilter(param, _match(raw, where, param))


def _match(raw: Any, where: str, default_field: str) -> FieldMatch:
    raw = raw if isinstance(raw, Mapping) else {}
    match = raw.get("match", "equals")
    if match not in MATCHES:
        raise SpecError(f"{where}: unknown match {match!r} (expected one of {', '.join(MATCHES)})")
    pointers = raw.get("fields") or [raw.get("field", "/" + default_field)]
    pointers = [pointers] if isinstance(pointers, str) else pointers
    for pointer in pointers:
        if not (isinstance(pointer, str) and pointer.startswith("/")):
            raise SpecError(f"{where}: fields are JSON Pointers (/name), got {pointer!r}")
    return FieldMatch(tuple(pointers), match)


def _sort(raw: Any, where: str) -> SortRule | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}.sort: expected an object, got {raw!r}")
    fields = raw.get("fields")
    if isinstance(fields, Sequence) and not isinstance(fields, str):
        fields = {name: "/" + name for name in fields}
    default = raw.get("default")
    parsed_default = None
    if isinstance(default, str) and default.strip("+-"):
        name = default.lstrip("+-")
        pointer = name if name.startswith("/") else (fields or {}).get(name, "/" + name)
        parsed_default = (pointer, default.startswith("-"))
    return SortRule(raw.get("param"), fields, parsed_default, raw.get("directionParam"))


def _cursor(raw: Any, where: str) -> CursorRule | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not (raw.get("before") or raw.get("after")):
        raise SpecError(f"{where}.cursor: expected {{before: PARAM, after: PARAM, field: /pointer}}")
    return CursorRule(raw.get("field", "/id"), raw.get("before"), raw.get("after"))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value).lower()


def _labels_match(stored: Any, wanted: Any) -> bool:
    labels = stored if isinstance(stored, Mapping) else {}
    for pair in wanted if isinstance(wanted, list) else [wanted]:
        key, sep, value = str(pair).partition(":")
        if key not in labels or (sep and str(labels[key]) != value):
            return False
    return True


_TERM = re.compile(r"^([A-Za-z_][\w.-]*):(.*)$", re.S)


def _terms(text: str) -> list[tuple[str, str]]:
    """`title:"fix login" archived:false` -> [("title", "fix login"), ("archived", "false")]."""
    try:
        tokens = shlex.split(text)
    except ValueError:  # an unbalanced quote: read it word by word
        tokens = text.split()
    out = []
    for token in tokens:
        found = _TERM.match(token)
        if found:
            out.append((found.group(1), found.group(2)))
    return out


def _within(value: Any, before: Any, after: Any) -> bool:
    try:
        number = float(value)
        return (before is None or number < float(before)) and (after is None or number > float(after))
    except (TypeError, ValueError):
        text = str(value)
        return (before is None or text < str(before)) and (after is None or text > str(after))


def _sorted(records: list[Record], pointer: str, descending: bool) -> list[Record]:
    present = [(r, get_pointer(r.data, pointer, _MISSING)) for r in records]
    missing = [r for r, v in present if v is _MISSING or v is None]
    keyed = [(r, v) for r, v in present if v is not _MISSING and v is not None]

    def key(pair: tuple[Record, Any]) -> tuple[int, Any]:
        value = pair[1]
        if isinstance(value, bool):
            return (0, int(value))
        if isinstance(value, (int, float)):
            return (0, value)
        return (1, str(value))

    keyed.sort(key=key, reverse=descending)
    return [r for r, _ in keyed] + missing
