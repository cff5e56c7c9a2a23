"""Small helpers the rule modules share: typed access to mappings, parameters, components and OpenAPI versions."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from contracts.lint.walk import COMPONENT_KINDS
from contracts.specfile import SpecDocument, join_pointer

__all__ = [
    "TEMPLATE",
    "component_key",
    "component_section",
    "is_30",
    "mapping",
    "parameter_keys",
    "path_parameters",
    "unescape",
]

TEMPLATE = re.compile(r"\{([^{}]*)\}")


def is_30(doc: SpecDocument) -> bool:
    """Whether the document is OpenAPI 3.0 (whose `$ref` siblings are ignored and `items` is required)."""
    return doc.version.startswith("3.0")


def mapping(value: Any) -> Mapping[str, Any]:
    """`value` if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def unescape(token: str) -> str:
    """One JSON pointer token, unescaped."""
    return token.replace("~1", "/").replace("~0", "~")


def component_section(pointer: str, depth: int | None = None) -> str | None:
    """`schemas`, `responses`... when `pointer` is inside `/components/<section>` (exactly `depth` tokens deep)."""
    parts = pointer.split("/")
    if len(parts) < 4 or parts[1] != "components" or (depth is not None and len(parts) != depth + 1):
        return None
    return parts[2] if parts[2] in COMPONENT_KINDS else None


def component_key(pointer: str) -> tuple[str, str] | None:
    """(section, name) of the component `pointer` is in, or None outside components."""
    section = component_section(pointer)
    if section is None:
        return None
    return section, unescape(pointer.split("/")[3])


def parameter_keys(doc: SpecDocument, owner: Mapping[str, Any], pointer: str) -> Iterator[tuple[tuple[str, str], str]]:
    """((name, in), pointer) of each parameter of a path item or operation, `$ref`s followed."""
    parameters = owner.get("parameters")
    if not isinstance(parameters, list):
        return
    for index, parameter in enumerate(parameters):
        item_pointer = join_pointer(pointer, "parameters", index)
        value, _ = doc.deref(parameter, item_pointer)
        if isinstance(value, Mapping) and isinstance(value.get("name"), str) and isinstance(value.get("in"), str):
            yield (value["name"], value["in"]), item_pointer


def path_parameters(doc: SpecDocument, owner: Mapping[str, Any], pointer: str) -> dict[str, str]:
    """Path parameter name -> pointer, for a path item or operation."""
    return {name: where for (name, location), where in parameter_keys(doc, owner, pointer) if location == "path"}
