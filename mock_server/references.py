"""Referential integrity: what a fresh start seeds (parents first), and which fields of a resource name another.

A field refers to a resource when its name, without an `_id`/`Id` ending, ends with the resource's singular name
(`ai_id`/`aiId` -> `ai`, `parent_chat_id` -> `chats`). Generated values of such fields would point nowhere, so the
engine fills them from stored items instead (or leaves them out); see `Items.build`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mock_server.models import Action

if TYPE_CHECKING:
    from mock_server.models import ApiModel

__all__ = ["Reference", "SeedStep", "reference_fields", "seed_plan", "self_arrays"]

_ID_ENDING = re.compile(r"(?:_id|Id|ID|_uuid|Uuid)$")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


@dataclass(frozen=True, slots=True)
class SeedStep:
    """One seeded resource, and the path parameters that put each of its items under a seeded parent."""

    resource: str
    parents: tuple[tuple[str, str], ...] = ()  # (scope parameter, parent resource)


@dataclass(frozen=True, slots=True)
class Reference:
    """A field of a resource that holds the id of an item of `target` (`target == resource`: a parent link)."""

    field: str
    target: str
    required: bool
    nullable: bool


def seed_plan(model: ApiModel) -> tuple[SeedStep, ...]:
    """Resources a fresh start fills (those listed without path parameters), each after the parents its create
    puts it under, so a seeded chat's AI exists."""
    listed: list[str] = []
    for op in model.operations:
        b = op.behaviour
        if b.action is Action.LIST and not b.scope and not op.path_params and b.resource and not b.via \
                and b.resource not in listed and b.resource in model.resource_schemas:
            listed.append(b.resource)
    steps: dict[str, SeedStep] = {}
    for resource in listed:
        create = next((op for op in model.operations
                       if op.behaviour.action is Action.CREATE and op.behaviour.resource == resource), None)
        parents = tuple((param, model.id_params[param]) for param in (create.behaviour.scope if create else ())
                        if model.id_params.get(param) in listed and model.id_params[param] != resource)
        steps[resource] = SeedStep(resource, parents)
    ordered: list[SeedStep] = []

    def visit(step: SeedStep, trail: tuple[str, ...]) -> None:
        if step in ordered or step.resource in trail:
            return
        for _, parent in step.parents:
            visit(steps[parent], trail + (step.resource,))
        ordered.append(step)

    for step in steps.values():
        visit(step, ())
    return tuple(ordered)


def reference_fields(resource: str, schema: Mapping[str, Any], resources: Collection[str]) -> tuple[Reference, ...]:
    """The top-level fields of `schema` that name an item of one of `resources`."""
    by_singular = {_singular(name).lower(): name for name in resources}
    required = set(schema.get("required") or ())
    found = []
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, Mapping) or sub.get("type") not in ("string", "integer") or name == "id":
            continue
        stem = _ID_ENDING.sub("", name)
        if stem == name:
            continue
        words = [w.lower() for w in _WORDS.findall(stem)]
        target = next((by_singular[key] for key in ("_".join(words[i:]) for i in range(len(words)))
                       if key in by_singular), None)
        if target is None:
            target = by_singular.get("".join(words))
        if target is not None:
            found.append(Reference(name, target, name in required, bool(sub.get("nullable"))))
    return tuple(found)


def self_arrays(resource_schema: Mapping[str, Any]) -> tuple[str, ...]:
    """Array fields whose items are the resource itself (a tree's `children`): a new item's start empty."""
    props = resource_schema.get("properties") or {}
    own = set(props)
    out = []
    for name, sub in props.items():
        items = sub.get("items") if isinstance(sub, Mapping) and sub.get("type") == "array" else None
        if not isinstance(items, Mapping):
            continue
        if items.get("x-recursive") or (len(own) > 3 and set(items.get("properties") or ()) == own):
            out.append(name)
    return tuple(out)


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name
