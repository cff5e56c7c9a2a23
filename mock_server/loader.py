"""Find and read OpenAPI files: YAML/JSON -> a checked `LoadedSpec` with `$ref` lookup."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mock_server.errors import SpecError

__all__ = ["LoadedSpec", "discover_specs", "load_spec"]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    """One OpenAPI document, the name it is mounted under, and where it came from."""

    name: str
    path: Path
    document: Mapping[str, Any]

    def resolve(self, node: Any) -> Any:
        """Follow local `$ref`s until a node that is not a reference."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
                raise SpecError(f"{self.path}: unsupported or circular $ref {ref!r}")
            seen.add(ref)
            node = self.lookup(ref)
        return node

    def lookup(self, ref: str) -> Any:
        """The node a local JSON pointer (`#/components/...`) names."""
        node: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            try:
                node = node[part]
            except (KeyError, TypeError) as exc:
                raise SpecError(f"{self.path}: $ref {ref!r} does not resolve") from exc
        return node


def discover_specs(paths: Iterable[Path]) -> list[Path]:
    """Spec files named directly, plus every spec file in the named folders (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise SpecError(f"{path}: no such file or folder")
    if not found:
        raise SpecError("no OpenAPI files found in " + ", ".join(str(p) for p in paths))
    return found


def load_spec(path: Path, name: str | None = None) -> LoadedSpec:
    """Read one OpenAPI 3.0 file; raises `SpecError` with a readable reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read: {exc}") from exc
    try:
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise SpecError(f"{path}: not valid YAML/JSON: {exc}") from exc
    if not isinstance(document, dict) or "paths" not in document:
        raise SpecError(f"{path}: not an OpenAPI document (no 'paths')")
    version = str(document.get("openapi", ""))
    if not version.startswith("3.0"):
        raise SpecError(
            f"{path}: OpenAPI {version or '(none)'} is not served: Connexion 3 handles OpenAPI 3.0.x only"
        )
    return LoadedSpec(name=name or path.stem, path=path, document=document)
