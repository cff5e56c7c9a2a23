"""Frozen value objects the engine works with: operations, their mock behaviour, and APIs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mock_server.loader import LoadedSpec

__all__ = ["Action", "ApiModel", "Behaviour", "Operation", "Parameter", "ResponseDef", "is_json"]

Schema = Mapping[str, Any]


class Action(StrEnum):
    """What an operation does to the stored state."""

    CREATE = "create"
    READ = "read"
    LIST = "list"
    UPDATE = "update"
    DELETE = "delete"
    ACTION = "action"
    LINK = "link"
    STATIC = "static"


def is_json(media_type: str) -> bool:
    """`application/json` and the `+json` family."""
    return media_type == "application/json" or media_type.endswith("+json")


@dataclass(frozen=True, slots=True)
class Behaviour:
    """The `x-mock` description of an operation (given or inferred)."""

    action: Action
    resource: str | None = None
    id_param: str | None = None
    id_field: str = "id"
    id_from: str | None = None
    unique: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    body: str | None = None
    items: str | None = None
    embed: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    counts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    effects: tuple[Mapping[str, Any], ...] = ()
    respond: str = "generated"
    stream_when: str | None = None
    set: Mapping[str, Any] = field(default_factory=dict)  # stored fields -> compiled values (expressions.py)
    fill: Mapping[str, Any] = field(default_factory=dict)  # response pointers -> compiled values
    omit: tuple[str, ...] = ()  # response pointers left out of the answer
    each: Mapping[str, Any] = field(default_factory=dict)  # (list) pointers of each item -> compiled values
    listing: Any = None  # (list) compiled filters, sort, cursor (listing.ListRules)
    links: str | None = None  # (link) the collection of links the item is added to
    via: str | None = None  # (list) list the items linked through this collection
    cases: tuple[Any, ...] = ()  # (condition, Behaviour) pairs: the first whose condition holds applies
    input: str | None = None  # (create/update) the request-body property holding the resource's fields
    upsert: bool = False  # (read/update) an unknown id creates the item (a create-or-replace PUT; ids minted elsewhere)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One query, header or path parameter."""

    name: str
    location: str
    required: bool
    schema: Schema


@dataclass(frozen=True, slots=True)
class ResponseDef:
    """One documented response: status key, media types with schemas, headers, named examples."""

    status: str
    content: Mapping[str, Schema | None]
    headers: Mapping[str, Schema]
    examples: Mapping[str, Any]

    @property
    def has_body(self) -> bool:
        return bool(self.content)

    @property
    def json_media_type(self) -> str | None:
        """The first JSON media type the response documents, if any."""
        return next((media for media in self.content if is_json(media)), None)

    @property
    def json_schema(self) -> Schema | None:
        """The schema of the JSON body, if the response documents one."""
        media = self.json_media_type
        return self.content[media] if media is not None else None


@dataclass(frozen=True, slots=True)
class Operation:
    """One OpenAPI operation as the engine needs it."""

    api: str
    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    request_schema: Schema | None
    request_media_types: tuple[str, ...]
    request_required: bool
    responses: Mapping[str, ResponseDef]
    success_status: int
    behaviour: Behaviour
    secured: bool
    websocket: Schema | None = None

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters if p.location == "path")

    def response_for(self, status: int) -> ResponseDef | None:
        """The documented response for a status: exact code, then `4XX`-style range, then `default`."""
        return (
            self.responses.get(str(status))
            or self.responses.get(f"{str(status)[0]}XX")
            or self.responses.get("default")
        )

    def documented_statuses(self) -> list[int]:
        return sorted(int(code) for code in self.responses if code.isdigit())


@dataclass(frozen=True, slots=True)
class ApiModel:
    """A served API: its spec, operations and the schema of each stored resource."""

    spec: LoadedSpec
    operations: tuple[Operation, ...]
    resource_schemas: Mapping[str, Schema]
    id_params: Mapping[str, str]  # path parameter name -> the resource it identifies
    error_defaults: Mapping[str, Mapping[str, Any]]
    id_fields: Mapping[str, str] = field(default_factory=dict)  # resource -> the field holding its id (default id)
    item_params: Mapping[str, str] = field(default_factory=dict)  # resource -> the path parameter naming one item
    parents: Mapping[str, str] = field(default_factory=dict)  # path parameter -> a parent resource that must exist
    seeding: tuple[Any, ...] = ()  # what a fresh start stores, parents first (references.SeedPlan)

    @property
    def name(self) -> str:
        return self.spec.name

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)
