"""`MockResponse` -> Starlette response."""

from __future__ import annotations

from starlette.responses import Response

from mock_server.jsontext import dump_json
from mock_server.messages import MockResponse

__all__ = ["to_starlette"]


def to_starlette(response: MockResponse) -> Response:
    """Serialise the body as the media type says: JSON, raw bytes or text, or nothing."""
    if response.body is None:
        return Response(status_code=response.status, headers=response.headers)
    if isinstance(response.body, bytes):
        content = response.body
    elif isinstance(response.body, str) and not (response.media_type or "").endswith("json"):
        content = response.body.encode()
    else:
        content = dump_json(response.body)
    return Response(content, status_code=response.status, headers=response.headers, media_type=response.media_type)
