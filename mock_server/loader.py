"""Find and read OpenAPI files: YAML/JSON -> a normalised `LoadedSpec` (see normalise.py) with `$ref` lookup."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mock_server.bundling import read_document
from mock_server.errors import SpecError
from mock_server.normalise import normalise

__all__ = ["LoadedSpec", "discover_specs", "load_spec", "server_base_path"]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    """One OpenAPI document, the name it is mounted under, and where it came from."""

    name: str
    path: Path
    document: Mapping[str, Any]
    base_path: str = ""  # `servers[0]`'s path (`/v1`), '' when none

    @property
    def mount(self) -> str:
        """Where the API is served: `/<name><base path>`."""
        return f"/{self.name}{self.base_path}"

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
    """Read one OpenAPI 3.0 or 3.1 file and normalise it (`normalise.py`); raises `SpecError` with a reason."""
    document = normalise(read_document(path), path)
    return LoadedSpec(name=name or path.stem, path=path, document=document, base_path=server_base_path(document))


def server_base_path(document: Mapping[str, Any]) -> str:
    """The path of `servers[0].url`, variables replaced by their defaults: `/v1`, or `` when there is none.

    The mock serves each API at `/<name><base path>`, so a client swaps only the vendor's origin.
    """
    servers = document.get("servers") or []
    if not servers or not isinstance(servers[0], Mapping):
        return ""
    url = str(servers[0].get("url") or "")
    for variable, spec in (servers[0].get("variables") or {}).items():
        default = spec.get("default", "") if isinstance(spec, Mapping) else ""
        url = url.replace("{" + str(variable) + "}", str(default))
    path = urlsplit(url if "://" in url else "http://host" + ("" if url.startswith("/") else "/") + url).path
    return re.sub(r"/{2,}", "/", path).rstrip("/")
