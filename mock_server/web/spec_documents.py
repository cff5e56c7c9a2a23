"""`/<mount>/openapi.json` and `.yaml`: each API's normalised document, its `servers` pointing at the mock.

Connexion's own handler resolves every `$ref` per request and cannot serialise a recursive schema (a chat whose
`children` are chats): the 500 that left Swagger UI empty. The document served here keeps its `$ref`s, is the
OpenAPI 3.0 document the mock actually serves (3.1 input converted, other files bundled in), and is encoded once,
on first request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mock_server.jsontext import dump_json
from mock_server.models import ApiModel

__all__ = ["SpecDocuments"]


class SpecDocuments:
    """Answers GET of each API's `openapi.json` / `openapi.yaml` (`paths()` lists them)."""

    def __init__(self, apis: Mapping[str, ApiModel]) -> None:
        self._apis = {api.spec.mount: api for api in apis.values()}
        self._cache: dict[str, bytes] = {}

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        mount, _, name = path.rpartition("/")
        return name in ("openapi.json", "openapi.yaml") and mount in self._apis

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if scope["method"] not in ("GET", "HEAD"):
            await Response(status_code=405, headers={"Allow": "GET, HEAD"})(scope, receive, send)
            return
        if path not in self._cache:
            mount = path.rpartition("/")[0]
            document: dict[str, Any] = {**self._apis[mount].spec.document, "servers": [{"url": mount}]}
            self._cache[path] = dump_json(document) if path.endswith(".json") else \
                yaml.safe_dump(_plain(document), sort_keys=False, allow_unicode=True).encode()
        media = "application/json" if path.endswith(".json") else "text/yaml"
        await Response(self._cache[path], media_type=media)(scope, receive, send)


def _plain(node: Any) -> Any:
    """A copy made of plain dicts and lists (YAML's safe dumper refuses other mappings), shared nodes copied."""
    if isinstance(node, Mapping):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(item) for item in node]
    return node
