"""Specs to try (ours, the serving fixtures, and the real-world corpus when `../shared/conformance` is present),
credentials that pass an operation's security, and hostile request bodies."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mock_server.models import Operation
from mock_server.web.security import OperationSecurity
from tests.conftest import REPO, SPECS

__all__ = ["CORPUS", "credentials", "hostile_bodies", "spec_files"]

FIXTURES = REPO / "tests" / "fixtures" / "specs"
CORPUS = REPO.parent / "shared" / "conformance" / "realworld"


def spec_files() -> list[Path]:
    """Every spec the hostile tests serve: ours, the fixtures, and the corpus (3.0 and 3.1) when present."""
    files = sorted(SPECS.glob("*.yaml")) + sorted(FIXTURES.glob("shelter*.yaml"))
    for folder in ("specs", "specs-3.1"):
        files += sorted(p for p in (CORPUS / folder).glob("*.*") if p.suffix in (".yaml", ".json"))
    return files


def credentials(security: OperationSecurity) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, query) that pass the first alternative of an operation's security."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    for credential in security.alternatives[0] if security.alternatives else ():
        secret = "t"
        if credential.scheme == "basic":
            secret = "Basic " + base64.b64encode(b"user:t").decode()
        elif credential.scheme is not None:
            secret = f"{credential.scheme} t"
        if credential.location == "header":
            headers[credential.name] = secret
        elif credential.location == "query":
            query[credential.name] = secret
        else:
            headers["cookie"] = f"{credential.name}={secret}"
    return headers, query


def hostile_bodies(op: Operation) -> Iterator[tuple[str, dict[str, str], bytes]]:
    """(label, extra headers, raw body) for an operation that takes a body: malformed and wrong-typed ones."""
    json_type = {"content-type": "application/json"}
    props = list(_properties(op.request_schema))[:4]
    if any("json" in m for m in op.request_media_types):
        yield "lone surrogate value", json_type, b'{"name": "\\ud806", "id": "\\udc00x"}'
        yield "lone surrogate key", json_type, b'{"\\ud806": 1}'
        yield "huge integer", json_type, b'{"n": ' + b"9" * 5000 + b"}"
        yield "beyond int64", json_type, b'{"id": 123456789012345678901234567890, "count": -1e308}'
        yield "deep nesting", json_type, b"[" * 50_000
        yield "not an object", json_type, b'"text"'
        for prop in props:
            for value in (b'[["x"]]', b"1e400", b'{"a": [1]}'):
                yield f"{prop}={value.decode()}", json_type, b'{"' + prop.encode() + b'": ' + value + b"}"
    if any("form" in m for m in op.request_media_types):
        fields = "&".join(f"{p}=x" for p in props) or "x=1"
        yield "untyped form fields", {"content-type": "application/x-www-form-urlencoded"}, fields.encode()
        yield "multipart without boundary", {"content-type": "multipart/form-data"}, b"--x\r\n\r\n"
        part = b'--b\r\nContent-Disposition: form-data; name="' + (props[0] if props else "x").encode() + \
            b'"\r\n\r\n\xff\xfe\r\n--b--\r\n'
        yield "multipart bad bytes", {"content-type": "multipart/form-data; boundary=b"}, part
    yield "wrong media type", {"content-type": "text/plain"}, b"hello"
    yield "no media type", {}, b"x=1"


def _properties(schema: Any) -> Iterator[str]:
    if not isinstance(schema, Mapping):
        return
    yield from (schema.get("properties") or {})
    for key in ("oneOf", "anyOf", "allOf"):
        for part in schema.get(key) or ():
            yield from _properties(part)
