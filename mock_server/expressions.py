"""Values an `x-mock` rule takes from the request or from stored records, compiled once at start-up.

A value in `set`, `fill`, `each` or a `when` condition is either a literal or a source expression, written like
OpenAPI's link runtime expressions:

    $request.path.NAME   $request.query.NAME   $request.header.NAME   $request.body   $request.body#/pointer
    $target#/pointer     the operation's target item (read/update/action; the linked item of a link)
    $created#/pointer    the item the operation created (a create, or the last `create` effect)
    $item#/pointer       the listed item (`each` on a list)

or an object that reshapes one: `{value: EXPR, join: /text}` (an array of parts -> the text at `/text` of each,
joined; a string stays as it is), `{value: EXPR, split: ','}` (a comma-separated string -> a list of trimmed
strings), `{value: EXPR, as: /email}` (each item of a list -> an object holding it at `/email`).
A source that is absent gives `MISSING`: the rule then leaves the field alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mock_server.errors import SpecError
from mock_server.messages import MockRequest
from mock_server.pointers import get_pointer, set_pointer

__all__ = ["MISSING", "Context", "Value", "compile_value", "compile_values", "evaluate_into", "is_expression"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(slots=True)
class Context:
    """What a rule may read while one request is answered."""

    request: MockRequest
    target: Mapping[str, Any] | None = None
    created: Mapping[str, Any] | None = None
    item: Mapping[str, Any] | None = None


Value = Callable[[Context], Any]


def is_expression(raw: Any) -> bool:
    return isinstance(raw, str) and raw.startswith("$") or isinstance(raw, Mapping) and "value" in raw


def compile_value(raw: Any, where: str = "x-mock") -> Value:
    """A function of the request context giving the value `raw` describes (a literal gives itself)."""
    if isinstance(raw, Mapping) and "value" in raw:
        return _reshaped(compile_value(raw["value"], where), raw, where)
    if not (isinstance(raw, str) and raw.startswith("$")):
        return lambda ctx, constant=raw: constant
    return _source(raw, where)


def compile_values(raw: Any, where: str) -> dict[str, Value]:
    """`{pointer-or-field: value}` -> compiled values (keys kept as written)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}: expected an object of values, got {raw!r}")
    return {str(key): compile_value(value, f"{where}.{key}") for key, value in raw.items()}


def evaluate_into(doc: dict[str, Any], values: Mapping[str, Value], ctx: Context) -> None:
    """Set each value that is present into `doc`: keys starting with `/` are JSON Pointers, others field names."""
    for key, value in values.items():
        result = value(ctx)
        if result is MISSING:
            continue
        if key.startswith("/"):
            set_pointer(doc, key, result)
        else:
            doc[key] = result


def _source(text: str, where: str) -> Value:
    head, _, pointer = text.partition("#")
    if head in ("$target", "$created", "$item"):
        attribute = head[1:]

        def stored(ctx: Context) -> Any:
            doc = getattr(ctx, attribute)
            return MISSING if doc is None else get_pointer(doc, pointer, MISSING)

        return stored
    if head == "$request.body":
        return lambda ctx: get_pointer(ctx.request.body, pointer, MISSING) if ctx.request.body is not None \
            else MISSING
    for prefix, read in (("$request.path.", lambda r: r.path_params), ("$request.query.", lambda r: r.query),
                         ("$request.header.", lambda r: r.headers)):
        if head.startswith(prefix) and not pointer:
            name = head[len(prefix):]
            if prefix == "$request.header.":
                name = name.lower()
            return lambda ctx, read=read, name=name: read(ctx.request).get(name, MISSING)
    raise SpecError(f"{where}: unknown source {text!r} (expected $request.path.X, $request.query.X, "
                    "$request.header.X, $request.body#/p, $target#/p, $created#/p or $item#/p)")


def _reshaped(inner: Value, raw: Mapping[str, Any], where: str) -> Value:
    unknown = set(raw) - {"value", "join", "separator", "split", "as"}
    if unknown:
        raise SpecError(f"{where}: unknown keys {sorted(unknown)} (expected value, join, separator, split, as)")
    join, separator, split, wrap = raw.get("join"), str(raw.get("separator", "")), raw.get("split"), raw.get("as")

    def reshape(ctx: Context) -> Any:
        value = inner(ctx)
        if value is MISSING or value is None:
            return value
        if join is not None and isinstance(value, list):
            texts = [get_pointer(part, join) for part in value]
            value = separator.join(text for text in texts if isinstance(text, str))
        if split is not None and isinstance(value, str):
            value = [piece.strip() for piece in value.split(split) if piece.strip()]
        if wrap is not None and isinstance(value, list):
            wrapped = []
            for piece in value:
                holder: dict[str, Any] = {}
                set_pointer(holder, wrap, piece)
                wrapped.append(holder)
            value = wrapped
        return value

    return reshape
