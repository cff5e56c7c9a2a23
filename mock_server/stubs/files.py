"""A stubs file (`mock-server serve --stubs FILE.yaml`): a YAML or JSON list of stub definitions (or
`{stubs: [...]}`), checked whole at start-up; a bad one stops the start with the file, line and reason."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from mock_server.errors import SettingsError
from mock_server.generation import FakeGenerator
from mock_server.models import ApiModel
from mock_server.stubs.definition import Stub, StubError, parse_stub

__all__ = ["load_stubs_file"]


def load_stubs_file(path: Path, apis: Mapping[str, ApiModel]) -> list[Stub]:
    """Every stub the file defines; `SettingsError` (`FILE:LINE: reason`) for the first problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the stubs file: {exc}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise SettingsError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    nodes: list[Any] = []
    if isinstance(data, Mapping) and isinstance(data.get("stubs"), list):
        data = data["stubs"]
        nodes = next((v.value for k, v in root.value if k.value == "stubs"), [])
    elif isinstance(root, yaml.SequenceNode):
        nodes = root.value
    if not isinstance(data, list):
        raise SettingsError(f"{path}:1: a stubs file is a list of stubs (or an object with a `stubs` list)")
    stubs, gen, seen = [], FakeGenerator(0), set()
    for index, item in enumerate(data):
        line = nodes[index].start_mark.line + 1 if index < len(nodes) else 1
        given = item.get("id") if isinstance(item, Mapping) else None
        stub_id = given if isinstance(given, str) and given else f"{path.stem}-{index + 1}"
        if stub_id in seen:
            raise SettingsError(f"{path}:{line}: stub {index + 1}: id {stub_id!r} is used twice")
        seen.add(stub_id)
        try:
            stubs.append(parse_stub(item, apis, stub_id, gen))
        except StubError as exc:
            raise SettingsError(f"{path}:{_line(nodes[index], exc.field) if index < len(nodes) else line}: "
                                f"stub {index + 1}: {exc}") from None
    return stubs


def _line(node: Any, field: str) -> int:
    """The line of the field a problem names (`respond.body/x`: the `respond` key's `body`), else of the stub."""
    line = node.start_mark.line + 1
    for name in field.split("/")[0].split("."):
        if not isinstance(node, yaml.MappingNode):
            break
        found = next(((k, v) for k, v in node.value if k.value == name), None)
        if found is None:
            break
        line, node = found[0].start_mark.line + 1, found[1]
    return line
