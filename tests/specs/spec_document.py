"""Helpers the spec fact tests share: read a spec, follow local `$ref`s, walk its operations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

SPECS = Path(__file__).resolve().parents[2] / "specs"
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")


def load(name: str) -> dict[str, Any]:
    """The parsed `specs/<name>.yaml`."""
    return yaml.safe_load((SPECS / f"{name}.yaml").read_text())


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s until a node that is not a reference."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation of the spec."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op
