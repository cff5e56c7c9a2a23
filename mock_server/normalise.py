"""The load stage: any OpenAPI 3.0/3.1 document -> one self-contained 3.0 document the rest of the mock reads.

Run once per spec, before inference and Connexion, so both see the same document:
1. references into other files are bundled in (`bundling.py`);
2. OpenAPI 3.1 is converted to the 3.0 shape (`openapi31.py`);
3. an operation without an `operationId` gets a stable, readable one (`get_accounts_account_id_apps`), and a
   repeated one a numbered suffix, so every operation has a unique handle;
4. `paths` are ordered literal-first: `/emails/receiving` comes before `/emails/{email_id}`, so every router that
   takes the first match (Connexion's and the fast path's) prefers the concrete path, as OpenAPI says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mock_server.bundling import bundle_external_refs
from mock_server.errors import SpecError
from mock_server.openapi31 import downgrade_to_30, is_openapi_31

__all__ = ["METHODS", "normalise", "path_order_key", "synthesized_operation_id"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def normalise(document: Any, path: Path) -> dict[str, Any]:
    """The self-contained OpenAPI 3.0 document the mock serves; raises `SpecError` when it cannot be one."""
    if not isinstance(document, dict) or not ("paths" in document or "webhooks" in document):
        raise SpecError(f"{path}: not an OpenAPI document (no 'paths')")
    version = str(document.get("openapi", ""))
    if not version.startswith(("3.0", "3.1")):
        found = f"Swagger {document['swagger']}" if "swagger" in document else f"OpenAPI {version or '(none)'}"
        raise SpecError(f"{path}: {found} is not served: the mock reads OpenAPI 3.0 and 3.1 documents")
    document = bundle_external_refs(document, path)
    if is_openapi_31(document):
        document = downgrade_to_30(document)
    paths = document.get("paths")
    if not isinstance(paths, dict):
        raise SpecError(f"{path}: 'paths' must be a mapping of path -> path item")
    _fill_operation_ids(paths)
    document["paths"] = dict(sorted(paths.items(), key=lambda item: path_order_key(item[0])))
    return document


def path_order_key(path: str) -> tuple[int, ...]:
    """Sort key that puts a literal segment before a templated one at the first place they differ.

    Paths of different lengths never match the same URL (a template matches one segment), so comparing the
    per-segment flags is enough; `sorted` keeps the document's order otherwise.
    """
    return tuple(1 if "{" in segment else 0 for segment in path.strip("/").split("/"))


def synthesized_operation_id(method: str, path: str) -> str:
    """`GET /accounts/{account_id}/apps` -> `get_accounts_account_id_apps` (`/` alone -> `get_root`)."""
    words = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method.lower()}_{words or 'root'}"


def _fill_operation_ids(paths: Mapping[str, Any]) -> None:
    taken: set[str] = set()
    missing: list[tuple[dict[str, Any], str, str]] = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            given = operation.get("operationId")
            if isinstance(given, str) and given and given not in taken:
                taken.add(given)
            else:
                missing.append((operation, method, path))
    for operation, method, path in missing:
        given = operation.get("operationId")
        base = given if isinstance(given, str) and given else synthesized_operation_id(method, path)
        unique, n = base, 2
        while unique in taken:
            unique, n = f"{base}_{n}", n + 1
        operation["operationId"] = unique
        taken.add(unique)
