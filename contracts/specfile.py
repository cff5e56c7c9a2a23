"""Load a spec from a file or `git:REF:path`, keeping the YAML line of every JSON pointer; resolve local `$ref`s.

YAML is read the JSON way: mapping keys are strings (`200:` is `"200"`) and timestamps stay strings, so an
example `2024-01-01T00:00:00Z` is validated as the string a client would send.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from contracts.errors import SpecLoadError, SpecSyntaxError

__all__ = [
    "GIT_PREFIX",
    "SPECS_DIR",
    "SpecDocument",
    "discover_specs",
    "escape_token",
    "join_pointer",
    "load_spec_document",
    "parse_spec_text",
    "resolve_pointer",
]

GIT_PREFIX = "git:"
SPECS_DIR = "specs"


@dataclass(frozen=True, slots=True)
class SpecDocument:
    """A parsed spec: its data, where it came from, and the line of each JSON pointer."""

    name: str
    data: Mapping[str, Any]
    lines: Mapping[str, int] = field(default_factory=dict)
    duplicate_keys: tuple[tuple[str, int], ...] = ()

    @property
    def version(self) -> str:
        """The `openapi` version string ("" when missing)."""
        value = self.data.get("openapi", "")
        return value if isinstance(value, str) else ""

    def line_of(self, pointer: str) -> int | None:
        """Line of `pointer`, or of its nearest ancestor that has one (values inside one-line flow YAML)."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    def resolve(self, ref: str) -> tuple[Any, str]:
        """Follow a local `$ref` (and any `$ref` it lands on); returns the value and its pointer.

        Raises `LookupError` when the reference is not local, points nowhere, or loops.
        """
        seen: set[str] = set()
        while True:
            if not ref.startswith("#"):
                raise LookupError(f"only local references ('#/...') are supported: {ref!r}")
            pointer = unquote(ref[1:])
            if pointer in seen:
                raise LookupError(f"reference loop at {ref!r}")
            seen.add(pointer)
            value = resolve_pointer(self.data, pointer)
            next_ref = value.get("$ref") if isinstance(value, Mapping) else None
            if not isinstance(next_ref, str):
                return value, pointer
            ref = next_ref

    def deref(self, value: Any, pointer: str) -> tuple[Any, str]:
        """`value` itself, or what its `$ref` points at; a broken reference gives `(None, pointer)`."""
        ref = value.get("$ref") if isinstance(value, Mapping) else None
        if not isinstance(ref, str):
            return value, pointer
        try:
            return self.resolve(ref)
        except LookupError:
            return None, pointer


def load_spec_document(source: str | Path, *, cwd: Path | None = None) -> SpecDocument:
    """Read and parse a spec from a path or from `git:REF:path` (`git show REF:path`, run in `cwd`)."""
    text = str(source)
    if text.startswith(GIT_PREFIX):
        return parse_spec_text(_read_git(text[len(GIT_PREFIX) :], cwd), name=text)
    path = Path(source) if cwd is None or Path(source).is_absolute() else cwd / source
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecLoadError(f"cannot read {text}: {exc}") from exc
    return parse_spec_text(content, name=text)


def discover_specs(root: Path) -> list[Path]:
    """The `specs/*.yaml` files under `root`, sorted by name."""
    return sorted((root / SPECS_DIR).glob("*.yaml"))


def parse_spec_text(text: str, *, name: str) -> SpecDocument:
    """Parse YAML (or JSON) text into a `SpecDocument`; raises `SpecSyntaxError` with the line on bad YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SpecSyntaxError(f"{name}: invalid YAML: {exc.problem or exc}", line=line) from exc
    except yaml.YAMLError as exc:
        raise SpecSyntaxError(f"{name}: invalid YAML: {exc}") from exc
    finally:
        loader.dispose()
    if not isinstance(data, Mapping):
        raise SpecLoadError(f"{name}: a spec must be a mapping at the top level, not {type(data).__name__}")
    lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    if node is not None:
        _record_lines(node, "", lines, duplicates, set())
    return SpecDocument(name=name, data=data, lines=lines, duplicate_keys=tuple(duplicates))


def escape_token(token: str | int) -> str:
    """Escape one reference token for a JSON pointer (`~` -> `~0`, `/` -> `~1`)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """`pointer` extended by escaped `tokens`."""
    return pointer + "".join("/" + escape_token(token) for token in tokens)


def resolve_pointer(data: Any, pointer: str) -> Any:
    """The value at a JSON pointer; raises `LookupError` when it does not exist."""
    if pointer == "":
        return data
    if not pointer.startswith("/"):
        raise LookupError(f"not a JSON pointer: {pointer!r}")
    value = data
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, Mapping) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise LookupError(f"{pointer!r} does not exist")
    return value


class _Loader(yaml.SafeLoader):
    """SafeLoader with string keys and no timestamp conversion."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        return {_key_text(key): value for key, value in mapping.items()}


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _record_lines(
    node: yaml.Node, pointer: str, lines: dict[str, int], duplicates: list[tuple[str, int]], active: set[int]
) -> None:
    if id(node) in active:  # a recursive alias
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            child = join_pointer(pointer, key_node.value)
            line = key_node.start_mark.line + 1
            if key_node.value in seen:  # the parser keeps the last value, so the last line wins too
                duplicates.append((child, line))
            seen.add(key_node.value)
            lines[child] = line
            _record_lines(value_node, child, lines, duplicates, active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = join_pointer(pointer, index)
            lines[child] = item.start_mark.line + 1
            _record_lines(item, child, lines, duplicates, active)
    active.discard(id(node))
    lines.setdefault(pointer, node.start_mark.line + 1)


def _read_git(spec: str, cwd: Path | None) -> str:
    ref, sep, path = spec.partition(":")
    if not sep or not ref or not path:
        raise SpecLoadError(f"expected git:REF:path, got {GIT_PREFIX}{spec}")
    try:
        result = subprocess.run(
            ["git", "show", f"{ref}:{path}"], cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise SpecLoadError(f"cannot run git: {exc}") from exc
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise SpecLoadError(f"cannot read {GIT_PREFIX}{spec}: {detail[-1] if detail else 'git show failed'}")
    return result.stdout
