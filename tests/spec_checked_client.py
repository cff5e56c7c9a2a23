"""An httpx client for one API that validates every response it receives against the spec with openapi-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

__all__ = ["SpecCheckedClient", "credentials_for"]

_SPEC_CACHE: dict[tuple[Path, str], OpenAPI] = {}


def credentials_for(document: dict[str, Any], secret: str = "t") -> dict[str, str]:
    """Headers that satisfy the spec's first security scheme, with `secret` as the credential."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    for scheme in schemes.values():
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
            return {"Authorization": f"Bearer {secret}"}
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            prefix = "token " if scheme["name"].lower() == "authorization" else ""
            return {scheme["name"]: prefix + secret}
    return {}


class SpecCheckedClient(httpx.Client):
    """`client.get(...)` etc.; each response is checked against the spec (status, headers, body schema)."""

    def __init__(self, spec_path: Path, base_url: str, auth: bool = True, check: bool = True) -> None:
        self.document = yaml.safe_load(spec_path.read_text())
        headers = credentials_for(self.document) if auth else {}
        super().__init__(base_url=base_url, headers=headers, timeout=30)
        self.check = check
        key = (spec_path, base_url)
        if key not in _SPEC_CACHE:
            _SPEC_CACHE[key] = OpenAPI.from_dict({**self.document, "servers": [{"url": base_url}]})
        self.openapi = _SPEC_CACHE[key]
        self.base_path = urlsplit(base_url).path

    def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        response = super().request(method, url, **kwargs)
        if self.check and response.status_code != 405:
            self.assert_conforms(response)
        return response

    def assert_conforms(self, response: httpx.Response) -> None:
        """Raise if the response breaks the spec (openapi-core's response validation)."""
        request = response.request
        split = urlsplit(str(request.url))
        origin = f"{split.scheme}://{split.netloc}"
        media = response.headers.get("content-type", "application/json").split(";")[0]
        mock_request = MockRequest(
            host_url=origin, method=request.method.lower(), path=split.path,
            args=dict(httpx.QueryParams(split.query)), headers=dict(request.headers),
            data=request.content or None, content_type=request.headers.get("content-type", "application/json"),
        )
        mock_response = MockResponse(response.content, status_code=response.status_code,
                                     headers=dict(response.headers), content_type=media)
        self.openapi.validate_response(mock_request, mock_response)
