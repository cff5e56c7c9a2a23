"""The proxy's checks: one live request and its response against the spec.

Request side (what the client sent): `unknown_operation`, `request_parameters`, `request_body`,
`request_security`. Response side (what the server answered): `status_code_conformance`,
`content_type_conformance`, `response_headers_conformance`, `response_schema_conformance`, `not_a_server_error`,
and three that judge the answer to the request: `ignored_auth` (a 2xx to a request without the credentials the
spec requires), `negative_data_rejection` (a 2xx to a request the spec calls invalid) and
`positive_data_acceptance` (a 400/422 to a request the spec calls valid). The response-side names are the ones
`contracts run` reports for the same drift.

A finding that rests only on the spec's decisions (contracts/decisions.py) is an assumption, not a violation.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from contracts.assumptions import MissingParameter, request_findings
from contracts.credentials import location_of, requirements, security_schemes
from contracts.decisions import Decision, Decisions
from contracts.operations import Operation, SpecIndex, match_media_type
from contracts.specfile import SpecDocument
from contracts.streams import sse_contract, websocket_contract
from contracts.validation import SchemaError, coerce

__all__ = ["CHECKS", "Finding", "RequestVerdict", "Validator", "decode_body"]

REQUEST_CHECKS = ("unknown_operation", "request_parameters", "request_body", "request_security")
RESPONSE_CHECKS = (
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "not_a_server_error",
    "ignored_auth",
    "negative_data_rejection",
    "positive_data_acceptance",
)
STREAM_CHECKS = ("stream_event_schema", "stream_malformed_frame", "stream_event_kind", "stream_terminator")
CHECKS = REQUEST_CHECKS + RESPONSE_CHECKS + STREAM_CHECKS

_VALIDATION_STATUSES = frozenset({400, 422})
_MESSAGE_ERRORS = 3  # schema errors quoted per finding


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation (or, with `decisions`, one assumption contradicted) seen on a live exchange."""

    check: str
    message: str
    decisions: tuple[Decision, ...] = ()

    @property
    def is_assumption(self) -> bool:
        return bool(self.decisions)


@dataclass(slots=True)
class RequestVerdict:
    """What the request revealed, and what the response check needs to know about it."""

    operation: Operation | None
    findings: list[Finding] = field(default_factory=list)
    # None: valid; (): breaks a documented fact; else: breaks only these decisions
    invalid: tuple[Decision, ...] | None = None
    reason: str = ""  # the first thing wrong with the request's parameters or body
    anonymous: bool = False
    sse: Mapping[str, Any] | None = None
    websocket: Mapping[str, Any] | None = None
    checked: bool = True  # False for a CORS preflight: the browser's, not the API's

    @property
    def label(self) -> str:
        if self.operation is not None:
            return self.operation.label
        return "(unknown operation)" if self.checked else "(CORS preflight)"


class Validator:
    """Checks live requests and responses against one spec."""

    def __init__(self, document: SpecDocument) -> None:
        self.document = document
        self.index = SpecIndex(document.data)
        self.decisions = Decisions(document)
        self._schemes = security_schemes(document.data)
        self._streams: dict[tuple[str, str], tuple[Any, Any]] = {}

    # -- requests ------------------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> RequestVerdict:
        """Check a request; `headers` have lower-case names. A CORS preflight is not checked; a HEAD is checked as
        the GET of its path when the spec declares no HEAD."""
        if method.upper() == "OPTIONS" and "access-control-request-method" in headers:
            return RequestVerdict(None, checked=False)
        operation, path_parameters, known = self.index.route(method, path)
        if operation is None and method.upper() == "HEAD":
            operation, path_parameters, known = self.index.route("GET", path)
        if operation is None:
            message = (
                f"the spec has no {method.upper()} operation on {path}"
                if known
                else f"no path of the spec matches {path}"
            )
            return RequestVerdict(None, [Finding("unknown_operation", message)])
        verdict = RequestVerdict(operation)
        verdict.sse, verdict.websocket = self._stream_contracts(operation)
        query = _query(parse_qsl(query_string, keep_blank_values=True), operation)
        problems: list[Finding] = []
        facts_broken = False
        decided: dict[str, Decision] = {}
        for found in request_findings(operation, self.index, path_parameters, query, headers):
            finding = self._parameter_finding(operation, found)
            problems.append(finding)
            facts_broken |= not finding.is_assumption
            decided.update((d.pointer, d) for d in finding.decisions)
        body_finding = self._body(operation, headers.get("content-type"), body)
        if body_finding is not None:
            problems.append(body_finding)
            facts_broken |= not body_finding.is_assumption
            decided.update((d.pointer, d) for d in body_finding.decisions)
        if problems:
            verdict.invalid = () if facts_broken else tuple(decided.values())
            verdict.reason = problems[0].message
        security = self._security(operation, headers, query)
        if security is not None:
            verdict.anonymous = True
            problems.append(security)
        verdict.findings = problems
        return verdict

    def _parameter_finding(self, operation: Operation, found: SchemaError | MissingParameter) -> Finding:
        if isinstance(found, MissingParameter):
            decision = self.decisions.for_missing(found.pointer)
            return Finding("request_parameters", found.describe(), (decision,) if decision else ())
        names = [f"{p.location} parameter `{p.name}`" for p in operation.parameters
                 if p.schema_pointer == found.nodes[0]]
        where = names[0] if names else "a parameter"
        return Finding("request_parameters", f"{where}: {found.message}", self.decisions.attribute([found]) or ())

    def _body(self, operation: Operation, content_type: str | None, body: bytes) -> Finding | None:
        if not body:
            return Finding("request_body", "the required request body is missing") if operation.body_required else None
        if not operation.body_media:
            return None  # a body the spec does not describe: nothing to hold it to
        declared = match_media_type(operation.body_media, content_type)
        if declared is None:
            documented = ", ".join(operation.body_media)
            return Finding("request_body", f"content type {content_type!r} is not documented ({documented})")
        schema_pointer = operation.body_media[declared]
        if schema_pointer is None or "json" not in declared.lower():
            return None
        return self._json_finding("request_body", schema_pointer, body, "write", "request body")

    def _security(self, operation: Operation, headers: Mapping[str, str], query: Mapping[str, Any]) -> Finding | None:
        alternatives = requirements(self.document.data, operation.definition)
        if not alternatives or any(self._satisfied(names, headers, query) for names in alternatives):
            return None
        expected = " or ".join(" + ".join(str(name) for name in names) for names in alternatives)
        return Finding("request_security", f"no credentials for {expected}, which the operation requires")

    def _satisfied(self, names: Mapping[str, Any], headers: Mapping[str, str], query: Mapping[str, Any]) -> bool:
        for name in names:
            scheme = self._schemes.get(name)
            location = location_of(name, scheme) if scheme is not None else None
            if location is None:
                continue  # a scheme we cannot check is taken as given
            if location.where == "query":
                present = bool(query.get(location.name))
            elif location.where == "cookie":
                cookies = SimpleCookie(headers.get("cookie", ""))
                present = bool(cookies.get(location.name) and cookies[location.name].value)
            else:
                value = headers.get(location.name.lower(), "").strip()
                if location.prefix:
                    word, _, credential = value.partition(" ")
                    present = word.lower() == location.prefix.lower() and bool(credential.strip())
                else:
                    present = bool(value)
            if not present:
                return False
        return True

    # -- responses -----------------------------------------------------------------------------------------------
    def response(
        self, verdict: RequestVerdict, status: int, headers: Mapping[str, str], body: bytes | None
    ) -> list[Finding]:
        """Check a response (`headers` lower-case; `body` decoded, or `None` when it streams past unread)."""
        if not verdict.checked:
            return []
        findings = []
        if status >= 500:
            findings.append(Finding("not_a_server_error", f"the server answered {status}"))
        if 200 <= status < 300:
            if verdict.anonymous:
                findings.append(Finding("ignored_auth", f"a request without the required credentials got {status}"))
            if verdict.invalid is not None:
                findings.append(Finding("negative_data_rejection",
                                        f"a request the spec calls invalid got {status} ({verdict.reason})",
                                        verdict.invalid))
        elif status in _VALIDATION_STATUSES and verdict.operation is not None and verdict.invalid is None:
            if not verdict.anonymous:
                findings.append(Finding("positive_data_acceptance",
                                        f"a request the spec calls valid got {status}"))
        operation = verdict.operation
        if operation is None:
            return findings
        response = operation.response_for(status)
        if response is None:
            documented = ", ".join(operation.responses) or "none"
            findings.append(Finding("status_code_conformance",
                                    f"status {status} is not documented (documented: {documented})"))
            return findings
        for header in response.headers:
            value = headers.get(header.name.lower())
            if value is None:
                if header.required:
                    decision = self.decisions.for_missing(header.pointer)
                    findings.append(Finding("response_headers_conformance", f"required header {header.name} is missing",
                                            (decision,) if decision else ()))
            elif header.schema_pointer is not None:
                errors = self.index.checker.errors(header.schema_pointer, coerce(value, header.schema), "read")
                if errors:
                    findings.append(Finding("response_headers_conformance", f"header {header.name}: "
                                            + _errors_text(errors), self.decisions.attribute(errors) or ()))
        content_type = headers.get("content-type")
        if response.media and (body is None or body):
            declared = match_media_type(response.media, content_type)
            if declared is None:
                documented = ", ".join(response.media)
                findings.append(Finding("content_type_conformance",
                                        f"content type {content_type!r} is not documented for {status} ({documented})"))
            elif body is not None and response.media[declared] is not None and "json" in declared.lower():
                found = self._json_finding("response_schema_conformance", str(response.media[declared]), body, "read",
                                           f"{status} response body")
                if found is not None:
                    findings.append(found)
        return findings

    def _json_finding(self, check: str, schema_pointer: str, body: bytes, mode: Any, what: str) -> Finding | None:
        try:
            value = json.loads(body)
        except ValueError:
            return Finding(check, f"the {what} is not valid JSON")
        errors = self.index.checker.errors(schema_pointer, value, mode)
        if not errors:
            return None
        decisions = self.decisions.attribute(errors) or ()
        return Finding(check, f"the {what} breaks its schema: {_errors_text(errors)}", decisions)

    def _stream_contracts(self, operation: Operation) -> tuple[Any, Any]:
        key = (operation.method, operation.path)
        if key not in self._streams:
            raw, definition = self.document.data, operation.definition
            self._streams[key] = (sse_contract(raw, definition), websocket_contract(raw, definition))
        return self._streams[key]


def decode_body(body: bytes, encoding: str | None) -> bytes | None:
    """The body without its content-encoding (gzip, deflate); `None` when it cannot be decoded here."""
    coding = (encoding or "identity").strip().lower()
    if coding in ("identity", ""):
        return body
    try:
        if coding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if coding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except zlib.error:
        return None
    return None


def _query(pairs: Sequence[tuple[str, str]], operation: Operation) -> dict[str, Any]:
    """Query values by name: a list for array parameters (repeated, or comma-separated when not exploded) and
    for any name given more than once; else the text."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    arrays = {p.name: p for p in operation.parameters if p.location == "query" and p.schema.get("type") == "array"}
    query: dict[str, Any] = {}
    for name, values in grouped.items():
        parameter = arrays.get(name)
        if parameter is not None and not parameter.explode and len(values) == 1:
            query[name] = values[0].split(",") if values[0] else []
        elif parameter is not None or len(values) > 1:
            query[name] = values
        else:
            query[name] = values[0]
    return query


def _errors_text(errors: Sequence[SchemaError]) -> str:
    shown = "; ".join(error.describe() for error in errors[:_MESSAGE_ERRORS])
    return shown + (f" (+{len(errors) - _MESSAGE_ERRORS} more)" if len(errors) > _MESSAGE_ERRORS else "")
