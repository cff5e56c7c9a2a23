"""Uploaded files: their name, type and size become fields of the created item, and their bytes are kept so that
a download of the item (a read whose success response is not JSON) answers exactly what was uploaded."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from mock_server.messages import MockRequest, MockResponse
from mock_server.models import Operation
from mock_server.store import Record, Store

__all__ = ["CONTENT_SUFFIX", "keep_upload", "stored_upload", "upload_fields"]

CONTENT_SUFFIX = ".content"  # bytes of items of resource R are kept in resource `R.content`, under the same id
_FILE_FIELDS = {"filename": ("name", "filename", "file_name", "fileName"),
                "content_type": ("mime_type", "mimeType", "content_type", "contentType", "media_type", "type"),
                "size": ("size", "bytes", "size_bytes", "sizeBytes", "fileSize", "file_size")}
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.I)


def upload_fields(request: MockRequest) -> dict[str, Any]:
    """Fields describing the first uploaded file, under the names items commonly give them."""
    out: dict[str, Any] = {}
    for upload in request.files[:1]:
        values = {"filename": upload.filename or _disposition_name(request.headers),
                  "content_type": upload.content_type, "size": upload.size}
        for attr, names in _FILE_FIELDS.items():
            if values[attr] is not None:
                for name in names:
                    out.setdefault(name, values[attr])
    return out


async def keep_upload(store: Store, api: str, resource: str, item_id: str, request: MockRequest) -> None:
    """Keep the bytes of the request's first file (when it carried some) for the item just created."""
    upload = next((f for f in request.files if f.content is not None), None)
    if upload is None:
        return
    data = {"content_type": upload.content_type, "filename": upload.filename or _disposition_name(request.headers),
            "base64": base64.b64encode(upload.content or b"").decode()}
    await store.put(api, resource + CONTENT_SUFFIX, Record(id=item_id, data=data))


async def stored_upload(store: Store, api: str, op: Operation, item_id: str) -> MockResponse | None:
    """The uploaded bytes of an item, with the content type they came with (if the response allows it)."""
    record = await store.get(api, (op.behaviour.resource or "") + CONTENT_SUFFIX, item_id)
    if record is None:
        return None
    response = op.response_for(op.success_status)
    documented = list(response.content) if response is not None else []
    media = record.data.get("content_type") or "application/octet-stream"
    if documented and media not in documented and not any(_covers(d, media) for d in documented):
        media = documented[0]
    return MockResponse(op.success_status, base64.b64decode(record.data.get("base64") or ""), media)


def _covers(pattern: str, media: str) -> bool:
    kind, _, sub = pattern.partition("/")
    return pattern == "*/*" or (sub == "*" and media.startswith(kind + "/"))


def _disposition_name(headers: Mapping[str, str]) -> str | None:
    found = _FILENAME.search(headers.get("content-disposition", ""))
    return found.group(1) if found else None
