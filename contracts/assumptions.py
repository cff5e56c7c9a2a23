"""Does a violation rest only on the spec's decisions? The verdict behind "assumption contradicted by the
deployment" (rule: contracts/decisions.py; docs/contract-testing.md, "Assumptions").

Three kinds of violation can rest on a decision, each judged on the value the check looked at:

- a request the spec calls invalid was accepted (`negative_data_rejection`): every parameter and the body are
  validated; the violation rests on decisions when each failed keyword (or missing required parameter) is one;
- a response body breaks its schema (`response_schema_conformance`);
- a documented response header is missing or malformed (`response_headers_conformance`).

Anything else (an undocumented status, a server error, a valid request rejected...) is judged on facts only.
When our own validation finds nothing wrong with the value, the check knew something we cannot attribute, and
the violation stays a fact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.decisions import Decision, Decisions
from contracts.operations import Operation, SpecIndex, match_media_type
from contracts.specfile import SpecDocument
from contracts.validation import SchemaError, coerce

__all__ = ["JUDGED_CHECKS", "NO_BODY", "AssumptionJudge", "MissingParameter", "request_findings"]

JUDGED_CHECKS = frozenset(
    {"negative_data_rejection", "response_schema_conformance", "response_headers_conformance"}
)
NO_BODY: Any = object()

Finding = SchemaError | Decision | None


class AssumptionJudge:
    """Judges violations against one spec."""

    def __init__(self, document: SpecDocument, index: SpecIndex | None = None) -> None:
        self.spec_name = document.name
        self.decisions = Decisions(document)
        self.index = index or SpecIndex(document.data)

    def request(
        self,
        method: str,
        path: str,
        *,
        path_parameters: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = NO_BODY,
        media_type: str | None = None,
    ) -> tuple[Decision, ...] | None:
        """The decisions an accepted invalid request breaks, when it breaks nothing else."""
        if not self.decisions:
            return None
        findings = self._request_findings(method, path, path_parameters=path_parameters, query=query,
                                          headers=headers, body=body, media_type=media_type)
        return None if findings is None else self.decisions.attribute(findings)

    def request_is_valid(self, method: str, path: str, **parts: Any) -> bool:
        """Whether our own validation finds nothing wrong with the request (`False` when it cannot tell); `parts`
        as for `request`."""
        return self._request_findings(method, path, **parts) == []

    def _request_findings(self, method: str, path: str, *, path_parameters: Mapping[str, Any] | None = None,
                          query: Mapping[str, Any] | None = None, headers: Mapping[str, Any] | None = None,
                          body: Any = NO_BODY, media_type: str | None = None) -> list[Finding] | None:
        """Every finding of the request (empty when valid), `None` when the spec has no such operation."""
        operation = self.index.find(method, path)
        if operation is None:
            return None
        findings: list[Finding] = [
            self.decisions.for_missing(finding.pointer) if isinstance(finding, MissingParameter) else finding
            for finding in request_findings(operation, self.index, path_parameters or {}, query or {}, headers or {})
        ]
        if body is not NO_BODY:
            findings += self._body_findings(operation.body_media, media_type, body, "write")
        elif operation.body_required:
            findings.append(None)  # a missing required body is never a decision
        return findings

    def response_body(
        self, method: str, path: str, status: int, media_type: str | None, body: Any
    ) -> tuple[Decision, ...] | None:
        """The decisions a response body breaks, when it breaks nothing else (`body` parsed JSON)."""
        operation = self.index.find(method, path)
        response = operation.response_for(status) if operation is not None else None
        if response is None or not self.decisions:
            return None
        return self.decisions.attribute(self._body_findings(response.media, media_type, body, "read"))

    def response_headers(
        self, method: str, path: str, status: int, headers: Mapping[str, str]
    ) -> tuple[Decision, ...] | None:
        """The decisions a response's headers break, when they break nothing else."""
        operation = self.index.find(method, path)
        response = operation.response_for(status) if operation is not None else None
        if response is None or not self.decisions:
            return None
        lowered = {name.lower(): value for name, value in headers.items()}
        findings: list[Finding] = []
        for header in response.headers:
            value = lowered.get(header.name.lower())
            if value is None:
                if header.required:
                    findings.append(self.decisions.for_missing(header.pointer))
            elif header.schema_pointer is not None:
                findings += self.index.checker.errors(header.schema_pointer, coerce(value, header.schema), "read")
        return self.decisions.attribute(findings)

    def _body_findings(
        self, media: Mapping[str, str | None], media_type: str | None, body: Any, mode: Any
    ) -> list[Finding]:
        declared = match_media_type(media, media_type or "application/json")
        schema_pointer = media.get(declared) if declared is not None else None
        if schema_pointer is None:
            return [None]
        if isinstance(body, (bytes, str)):
            try:
                body = json.loads(body)
            except ValueError:
                return [None]
        return list(self.index.checker.errors(schema_pointer, body, mode))


@dataclass(frozen=True, slots=True)
class MissingParameter:
    """A required parameter the request does not carry."""

    name: str
    location: str
    pointer: str

    def describe(self) -> str:
        return f"required {self.location} parameter `{self.name}` is missing"


def request_findings(
    operation: Operation,
    index: SpecIndex,
    path_parameters: Mapping[str, Any],
    query: Mapping[str, Any],
    headers: Mapping[str, Any],
) -> list[SchemaError | MissingParameter]:
    """What is wrong with a request's path, query and header parameters (cookies are not judged)."""
    sources = {
        "path": dict(path_parameters),
        "query": dict(query),
        "header": {str(name).lower(): value for name, value in headers.items()},
    }
    findings: list[SchemaError | MissingParameter] = []
    for parameter in operation.parameters:
        source = sources.get(parameter.location)
        if source is None:
            continue
        key = parameter.name.lower() if parameter.location == "header" else parameter.name
        if key not in source:
            if parameter.required:
                findings.append(MissingParameter(parameter.name, parameter.location, parameter.pointer))
            continue
        if parameter.schema_pointer is not None:
            value = coerce(source[key], parameter.schema)
            findings += index.checker.errors(parameter.schema_pointer, value, "write")
    return findings
