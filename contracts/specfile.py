"""Load a spec from a file or `git:REF:path`, keeping the YAML line of every JSON pointer; resolve `$ref`s.

YAML is read the JSON way: mapping keys are strings (`200:` is `"200"`) and timestamps stay strings, so an
example `2024-01-01T00:00:00Z` is validated as the string a client would send.

A `$ref` into another file (`common/errors.yml#/components/responses/NotFound`) is followed relative to the file
that holds it. A location in such a file is written `<path relative to the root document>#<JSON pointer>`
(an *external pointer*); a location in the root document is a plain JSON pointer (`""` or `/...`).
"""

from __future__ import annotations

import posixpath
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
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
    "is_external",
    "join_pointer",
    "load_spec_document",
    "parse_spec_text",
    "resolve_pointer",
]

GIT_PREFIX = "git:"
SPECS_DIR = "specs"


@dataclass(frozen=True, slots=True)
class SpecDocument:
    """A parsed spec: its data, where it came from, and the line of each JSON pointer.

    `open_relative` reads another file by its path relative to this one (None for text parsed in memory); the
    files `$ref`s point into are read once, and shared through `documents`.
    """

    name: str
    data: Mapping[str, Any]
    lines: Mapping[str, int] = field(default_factory=dict)
    duplicate_keys: tuple[tuple[str, int], ...] = ()
    open_relative: Callable[[str], SpecDocument] | None = field(default=None, compare=False, repr=False)
    documents: dict[str, SpecDocument | LookupError] = field(default_factory=dict, compare=False, repr=False)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def version(self) -> str:
        """The `openapi` version string ("" when missing)."""
        value = self.data.get("openapi", "")
        return value if isinstance(value, str) else ""

    def line_of(self, pointer: str) -> int | None:
        """Line of `pointer`, or of its nearest ancestor that has one (values inside one-line flow YAML).

        An external pointer gives the line in its own file (see `external`).
        """
        if is_external(pointer):
            found = self.external(pointer)
            return found[0].line_of(found[1]) if found is not None else None
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    def where(self, location: str) -> tuple[str, str]:
        """(file name, JSON pointer) of a location: this document's name, or the other file's beside it."""
        if not is_external(location):
            return self.name, location
        path, _, pointer = location.partition("#")
        return posixpath.join(posixpath.dirname(self.name), path), pointer

    def external(self, pointer: str) -> tuple[SpecDocument, str] | None:
        """The other file an external pointer is in (already loaded) and the pointer within it."""
        path, _, inner = pointer.partition("#")
        document = self.documents.get(path)
        return (document, inner) if isinstance(document, SpecDocument) else None

    def resolve(self, ref: str, base: str = "") -> tuple[Any, str]:
        """Follow a `$ref` written at `base` (and any `$ref` it lands on); returns the value and its location.

        Raises `LookupError` when the reference points nowhere, loops, or into a file that cannot be read.
        """
        seen: set[str] = set()
        while True:
            location = self._target(ref, base)
            if location in seen:
                raise LookupError(f"reference loop at {ref!r}")
            seen.add(location)
            path, _, pointer = location.rpartition("#") if is_external(location) else ("", "", location)
            value = resolve_pointer(self.file(path).data, pointer)
            next_ref = value.get("$ref") if isinstance(value, Mapping) else None
            if not isinstance(next_ref, str):
                return value, location
            ref, base = next_ref, location

    def deref(self, value: Any, pointer: str) -> tuple[Any, str]:
        """`value` (found at `pointer`) itself, or what its `$ref` points at; a broken one gives `(None, pointer)`."""
        ref = value.get("$ref") if isinstance(value, Mapping) else None
        if not isinstance(ref, str):
            return value, pointer
        try:
            return self.resolve(ref, pointer)
        except LookupError:
            return None, pointer

    def _target(self, ref: str, base: str) -> str:
        """The location `ref` names, written at `base`: a JSON pointer, or `path#pointer` for another file."""
        address, _, fragment = ref.partition("#")
        pointer = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            raise LookupError(f"{ref!r}: only JSON pointer fragments ('#/...') are supported")
        if not address:
            here = base.rpartition("#")[0] if is_external(base) else ""
            return f"{here}#{pointer}" if here else pointer
        if "://" in address or address.startswith("//"):
            raise LookupError(f"{ref!r}: remote references are not followed, only files next to the spec")
        if self.open_relative is None:
            raise LookupError(f"{ref!r}: a spec read from text cannot reference other files")
        here = base.rpartition("#")[0] if is_external(base) else ""
        path = posixpath.normpath(posixpath.join(posixpath.dirname(here), unquote(address)))
        return f"{path}#{pointer}" if path != posixpath.basename(self.name) else pointer

    def file(self, path: str) -> SpecDocument:
        """The document at `path`, relative to this one (`""` or its own file name: this one); may raise LookupError."""
        if not path or path == posixpath.basename(self.name):
            return self
        if path not in self.documents:
            if self.open_relative is None:
                raise LookupError(f"cannot read {path}: a spec read from text cannot reference other files")
            try:
                self.documents[path] = self.open_relative(path)
            except SpecLoadError as exc:
                self.documents[path] = LookupError(f"cannot read {path}: {exc}")
        found = self.documents[path]
        if isinstance(found, LookupError):
            raise found
        return found


def is_external(pointer: str) -> bool:
    """Whether a location is in another file (`path#pointer`) rather than a JSON pointer of the root document."""
    return bool(pointer) and not pointer.startswith("/")


def load_spec_document(source: str | Path, *, cwd: Path | None = None) -> SpecDocument:
    """Read and parse a spec from a path or from `git:REF:path` (`git show REF:path`, run in `cwd`)."""
    text = str(source)
    if text.startswith(GIT_PREFIX):
        opener = partial(_open_relative, text, cwd)
        return parse_spec_text(_read_git(text[len(GIT_PREFIX) :], cwd), name=text, open_relative=opener)
    path = Path(source) if cwd is None or Path(source).is_absolute() else cwd / source
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecLoadError(f"cannot read {text}: {exc}") from exc
    return parse_spec_text(content, name=text, open_relative=partial(_open_relative, str(path), None))


def discover_specs(root: Path) -> list[Path]:
    """The `specs/*.yaml` files under `root`, sorted by name."""
    return sorted((root / SPECS_DIR).glob("*.yaml"))


def parse_spec_text(
    text: str, *, name: str, open_relative: Callable[[str], SpecDocument] | None = None
) -> SpecDocument:
    """Parse YAML (or JSON) text into a `SpecDocument`; raises `SpecSyntaxError` with the line on bad YAML.

    `open_relative` reads the files its `$ref`s point into (by path relative to this one).
    """
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
    return SpecDocument(
        name=name, data=data, lines=lines, duplicate_keys=tuple(duplicates), open_relative=open_relative
    )


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


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses ~10x faster


class _Loader(_BaseLoader):  # type: ignore[misc]
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


def _open_relative(source: str, cwd: Path | None, relative: str) -> SpecDocument:
    """Load the file at `relative` to the directory of `source` (a path, or `git:REF:path` read at the same REF)."""
    if source.startswith(GIT_PREFIX):
        ref, _, path = source[len(GIT_PREFIX) :].partition(":")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), relative))
        if path.startswith("./") and not joined.startswith("."):
            joined = "./" + joined  # still relative to the current directory, as the root was
        return load_spec_document(f"{GIT_PREFIX}{ref}:{joined}", cwd=cwd)
    return load_spec_document(Path(source).parent / relative)


def _read_git(spec: str, cwd: Path | None) -> str:
    ref, sep, path = spec.partition(":")
    if not sep or not ref or not path:
        raise SpecLoadError(f"expected git:REF:path, got {GIT_PREFIX}{spec}")
    try:
        result = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SpecLoadError(f"cannot run git: {exc}") from exc
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise SpecLoadError(f"cannot read {GIT_PREFIX}{spec}: {detail[-1] if detail else 'git show failed'}")
    return result.stdout
