"""Bundle `$ref`s into other files (`common/errors.yml#/components/responses/NotFound`) into one document.

A reference `file#/components/<kind>/<name>` becomes a component of the same kind and name in the root document
(`<name>_2`, ... when the name is taken by something else); any other external target (a whole file, another
pointer) becomes a component named after the file and pointer, of the kind the place that refers to it needs
(a schema under `schema`/`properties`/`items`, a response under `responses`, ...). References inside the other file
(its own `#/...` pointers and its relative file refs) are bundled the same way, relative to that file. Remote
(`http://`) references are refused: the mock never fetches anything.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml

from mock_server.errors import SpecError

__all__ = ["bundle_external_refs", "read_document"]

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader: ~10x faster on big specs
_COMPONENT = re.compile(r"^/components/([^/]+)/([^/]+)$")
_SCHEMA_PARENTS = {"schema", "items", "not", "additionalProperties", "properties", "allOf", "anyOf", "oneOf",
                   "schemas", "patternProperties", "prefixItems", "$defs", "definitions"}
_KIND_BY_PARENT = {"responses": "responses", "parameters": "parameters", "requestBody": "requestBodies",
                   "requestBodies": "requestBodies", "headers": "headers", "examples": "examples",
                   "links": "links", "callbacks": "callbacks", "securitySchemes": "securitySchemes"}


def read_document(path: Path) -> Any:
    """A YAML or JSON file's content; raises `SpecError` with a readable reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read: {exc}") from exc
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise SpecError(f"{path}: not valid YAML/JSON: {exc}") from exc


def bundle_external_refs(document: dict[str, Any], path: Path) -> dict[str, Any]:
    """`document` (changed in place) with every reference to another file replaced by a local one."""
    if not _has_external(document):
        return document
    _Bundler(document, path.resolve()).run()
    return document


def _has_external(node: Any) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(_has_external(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_external(item) for item in node)
    return False


class _Bundler:
    def __init__(self, root: dict[str, Any], root_path: Path) -> None:
        self.root, self.root_path = root, root_path
        self.files: dict[Path, Any] = {root_path: root}
        self.placed: dict[tuple[Path, str], str] = {}  # (file, pointer) -> local ref in the root document

    def run(self) -> None:
        self._walk(self.root, self.root_path, ())

    def _walk(self, node: Any, where: Path, trail: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (where != self.root_path or not ref.startswith("#")):
                if len(trail) == 2 and trail[0] == "paths" and where == self.root_path:
                    self._inline_path_item(node, ref, where)  # 3.0 has no components.pathItems
                else:
                    node["$ref"] = self._local(ref, where, trail)
            for key, value in list(node.items()):
                if key != "$ref":
                    self._walk(value, where, (*trail, str(key)))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                self._walk(item, where, (*trail, str(index)))

    def _inline_path_item(self, node: dict[str, Any], ref: str, where: Path) -> None:
        file_part, _, pointer = ref.partition("#")
        target = (where.parent / file_part).resolve()
        node.clear()
        node.update(copy.deepcopy(_pointer(self._file(target), pointer, ref, where)))
        self._walk(node, target, ())

    def _local(self, ref: str, where: Path, trail: tuple[str, ...]) -> str:
        """The root-document ref for `ref` written in file `where`; copies the target in on first use."""
        if ref.startswith(("http://", "https://", "//")):
            raise SpecError(f"{self.root_path}: remote $ref {ref!r} is not followed (the mock reads local files only)")
        file_part, _, pointer = ref.partition("#")
        target = (where.parent / file_part).resolve() if file_part else where
        key = (target, pointer)
        if key in self.placed:
            return self.placed[key]
        if target == self.root_path:
            return "#" + pointer
        node = _pointer(self._file(target), pointer, ref, where)
        kind, name = self._slot(target, pointer, trail)
        components = self.root.setdefault("components", {}).setdefault(kind, {})
        unique, n = name, 2
        while unique in components:
            unique, n = f"{name}_{n}", n + 1
        local = f"#/components/{kind}/{_escape(unique)}"
        self.placed[key] = local
        components[unique] = copied = copy.deepcopy(node)
        self._walk(copied, target, ("components", kind, unique))  # its own refs are relative to its file
        return local

    def _file(self, target: Path) -> Any:
        if target not in self.files:
            if not target.is_file():
                raise SpecError(f"{self.root_path}: $ref to {target} which does not exist")
            self.files[target] = read_document(target)
        return self.files[target]

    @staticmethod
    def _slot(target: Path, pointer: str, trail: tuple[str, ...]) -> tuple[str, str]:
        matched = _COMPONENT.match(pointer)
        if matched:
            return matched.group(1), _unescape(matched.group(2))
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", (target.stem + pointer.replace("/", "_")).strip("_")) or "bundled"
        return _kind_of(trail), name


def _kind_of(trail: tuple[str, ...]) -> str:
    """The component kind a reference at `trail` (keys from the document root) must point at."""
    for depth in range(len(trail) - 1, -1, -1):
        parent = trail[depth]
        if parent in _SCHEMA_PARENTS:
            return "schemas"
        if parent in _KIND_BY_PARENT and depth == len(trail) - 1 - (parent != "requestBody"):
            return _KIND_BY_PARENT[parent]
    return "schemas"


def _pointer(document: Any, pointer: str, ref: str, where: Path) -> Any:
    node = document
    for part in [p for p in pointer.split("/") if p]:
        part = _unescape(part)
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise SpecError(f"{where}: $ref {ref!r} does not resolve") from exc
    return node


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")

