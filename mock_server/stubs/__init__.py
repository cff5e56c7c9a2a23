"""Request-matching stubs: "for this request, answer that" (issue 16).

- `definition`: a stub's JSON definition, read and checked against the spec (`parse_stub`, `StubError`).
- `matching`: whether a request matches a stub's `match` (path, query, headers, body pointers, prompt).
- `registry`: stubs kept in the state store, indexed by (api, operation), with use counts and scenario states.
- `answers`: the answer a matched stub gives (a whole body, a merge over the generated answer, a named example,
  or a scripted reply the engine writes in the API's own shape).
- `files`: a YAML stubs file (`mock-server serve --stubs FILE.yaml`).
"""

from mock_server.stubs.definition import Stub, StubError, parse_stub
from mock_server.stubs.files import load_stubs_file
from mock_server.stubs.registry import StubRegistry

__all__ = ["Stub", "StubError", "StubRegistry", "load_stubs_file", "parse_stub"]
