"""`x-mock` on an operation -> `Behaviour`: every word checked, every value expression compiled, at load time.

The words are documented in docs/spec-conventions.md; an unknown action, effect, source or match is a `SpecError`
naming the operation, so a typo in a spec stops the server at start-up instead of misbehaving later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mock_server.errors import SpecError
from mock_server.expressions import MISSING, Context, Value, compile_value, compile_values
from mock_server.listing import compile_list_rules, values_equal
from mock_server.models import Action, Behaviour

__all__ = ["Case", "compile_effect", "matches", "parse_behaviour"]

_PARAM = re.compile(r"^\{([^}]+)\}$")
_CASE_WORDS = ("effects", "respond", "body", "fill", "omit", "set")
_EFFECT_KEYS = {
    "create": {"create", "from", "set", "scope", "link"},
    "clear": {"clear"},
    "copy": {"copy", "children"},
    "set": {"set"},
    "regenerate": {"regenerate"},
    "update": {"update"},
    "increment": {"increment"},
    "add": {"add", "value", "key"},
    "remove": {"remove", "value", "key"},
    "truncate": {"truncate"},
}


class Case:
    """One entry of `cases`: a condition on request values or stored fields, and the behaviour it selects."""

    __slots__ = ("tests", "behaviour")

    def __init__(self, tests: tuple[tuple[Value, tuple[Any, ...]], ...], behaviour: Behaviour) -> None:
        self.tests, self.behaviour = tests, behaviour


def parse_behaviour(x_mock: Mapping[str, Any], path: str, where: str) -> Behaviour:
    """The behaviour an operation's `x-mock` describes."""
    try:
        action = Action(x_mock.get("action", "static"))
    except ValueError as exc:
        raise SpecError(f"{where}: unknown x-mock action {x_mock.get('action')!r}") from exc
    id_param = x_mock.get("id")
    path_params = [m.group(1) for seg in path.split("/") if (m := _PARAM.match(seg))]
    scope = x_mock.get("scope")
    if scope is None:
        scope = [p for p in path_params if p != id_param]
    stream = x_mock.get("stream") or {}
    behaviour = Behaviour(
        action=action,
        resource=x_mock.get("resource"),
        id_param=id_param,
        id_field=x_mock.get("idField", "id"),
        id_from=x_mock.get("idFrom"),
        unique=tuple(x_mock.get("unique", ())),
        scope=tuple(scope),
        body=x_mock.get("body"),
        items=x_mock.get("items"),
        embed=x_mock.get("embed") or {},
        counts=x_mock.get("counts") or {},
        effects=tuple(compile_effect(e, f"{where}.effects[{i}]") for i, e in enumerate(x_mock.get("effects") or ())),
        respond=x_mock.get("respond", "generated"),
        stream_when=stream.get("when") if isinstance(stream, Mapping) else None,
        set=compile_values(x_mock.get("set"), f"{where}.set"),
        fill=compile_values(x_mock.get("fill"), f"{where}.fill"),
        omit=_pointers(x_mock.get("omit"), f"{where}.omit"),
        each=compile_values(x_mock.get("each"), f"{where}.each"),
        listing=compile_list_rules(x_mock, where),
        links=x_mock.get("links"),
        via=x_mock.get("via"),
        upsert=bool(x_mock.get("upsert", False)),
        input=x_mock.get("input"),
    )
    if action is Action.LINK and not (behaviour.resource and behaviour.links and behaviour.id_from):
        raise SpecError(f"{where}: a link needs `resource`, `idFrom` (the request field naming the item) and "
                        "`links` (the collection the link is kept in)")
    cases = x_mock.get("cases") or ()
    if cases:
        base = {k: v for k, v in x_mock.items() if k != "cases"}
        parsed = []
        for i, case in enumerate(cases):
            if not isinstance(case, Mapping) or not isinstance(case.get("when"), Mapping):
                raise SpecError(f"{where}.cases[{i}]: expected {{when: {{SOURCE: VALUE}}, ...}}")
            unknown = set(case) - {"when", *_CASE_WORDS}
            if unknown:
                raise SpecError(f"{where}.cases[{i}]: unknown keys {sorted(unknown)} (a case may set "
                                f"{', '.join(_CASE_WORDS)})")
            variant = parse_behaviour({**base, **{k: v for k, v in case.items() if k != "when"}}, path,
                                      f"{where}.cases[{i}]")
            parsed.append(Case(_tests(case["when"], f"{where}.cases[{i}].when"), variant))
        behaviour = _replace(behaviour, cases=tuple(parsed))
    return behaviour


def compile_effect(raw: Any, where: str) -> dict[str, Any]:
    """One effect with its values compiled; its keys are checked against the vocabulary."""
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}: an effect is an object, got {raw!r}")
    kind = next((k for k in _EFFECT_KEYS if k in raw), None)  # `create` first: a create may also `set`
    if kind is None or set(raw) - _EFFECT_KEYS[kind]:
        raise SpecError(f"{where}: unknown x-mock effect {dict(raw)!r}")
    effect = dict(raw)
    if "set" in effect:
        effect["set"] = compile_values(effect["set"], f"{where}.set")
    if "value" in effect:
        effect["value"] = compile_value(effect["value"], f"{where}.value")
    return effect


def matches(case: Case, ctx: Context) -> bool:
    """Whether every test of the case holds (`null` among the allowed values matches an absent one)."""
    for value, allowed in case.tests:
        got = value(ctx)
        if got is MISSING or got is None:
            if None not in allowed:
                return False
        elif not any(a is not None and values_equal(got, a) for a in allowed):
            return False
    return True


def _tests(when: Mapping[str, Any], where: str) -> tuple[tuple[Value, tuple[Any, ...]], ...]:
    out = []
    for source, allowed in when.items():
        if not (isinstance(source, str) and source.startswith("$")):
            raise SpecError(f"{where}: a condition's key is a source ($request..., $target#/...), got {source!r}")
        out.append((compile_value(source, where), tuple(allowed) if isinstance(allowed, list) else (allowed,)))
    return tuple(out)


def _pointers(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.startswith("/") for p in raw):
        raise SpecError(f"{where}: expected a list of JSON Pointers (/field), got {raw!r}")
    return tuple(raw)


def _replace(behaviour: Behaviour, **changes: Any) -> Behaviour:
    return replace(behaviour, **changes)
