"""What the proxy saw: every exchange with a finding (its request, credentials redacted), counts per operation,
a log line per finding, and the JSON and JUnit reports written when the proxy stops.

Credentials: the values of the credential headers (`Authorization`, `Cookie`, the spec's apiKey headers, and any
header whose name says auth, token, secret, key, session, password, credential or signature) and query parameters
(the spec's apiKey ones, and any named that way) are replaced by `[Filtered]` in the recorded headers and URL, and
every occurrence of such a value anywhere else (a body, a message, a response header line) is replaced too.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from contracts.credentials import credential_locations
from contracts.errors import UsageError
from contracts.junit import JunitCase, JunitOutcome, render_suites
from contracts.proxy.validation import Finding
from contracts.redaction import REDACTED, Redactor

__all__ = ["Exchange", "ProxyLog"]

logger = logging.getLogger("contracts.proxy")

_SECRET_NAMES = re.compile(r"auth|cookie|token|secret|passw|session|key|credential|signature", re.I)
_BODY_EXCERPT = 500
_JUNIT_MESSAGES = 5


@dataclass(slots=True)
class Exchange:
    """One request through the proxy and its response, as recorded (already redacted)."""

    at: float
    method: str
    url: str
    operation: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None = None
    response_body: str = ""
    findings: list[Finding] = field(default_factory=list)


class ProxyLog:
    """Collects the findings of a proxy session; writes the reports."""

    def __init__(self, spec: str, upstream: str, document: Mapping[str, Any]) -> None:
        self.spec = spec
        self.upstream = upstream
        self.started = time.time()
        self.redact = Redactor()
        locations = credential_locations(document)
        self._secret_headers = {loc.name.lower() for loc in locations if loc.where == "header"}
        self._secret_query = {loc.name for loc in locations if loc.where == "query"}
        self.exchanges: list[Exchange] = []  # those with findings
        self.seen: dict[str, int] = {}  # operation label -> requests

    # -- recording --------------------------------------------------------------------------------------------
    def open(self, method: str, path: str, query_string: str, headers: Sequence[tuple[str, str]], body: bytes,
             operation: str) -> Exchange:
        """Start recording a request: learn its secrets first, then keep a redacted copy."""
        pairs = parse_qsl(query_string, keep_blank_values=True)
        self.redact.add(value for name, value in headers if self._is_secret_header(name))
        self.redact.add(value for name, value in pairs if self._is_secret_query(name))
        shown_query = urlencode([(n, REDACTED if self._is_secret_query(n) else v) for n, v in pairs])
        url = path + (f"?{shown_query}" if shown_query else "")
        shown_headers = {name: REDACTED if self._is_secret_header(name) else value for name, value in headers}
        self.seen[operation] = self.seen.get(operation, 0) + 1
        return Exchange(time.time(), method.upper(), self.redact(url), operation,
                        {name: self.redact(value) for name, value in shown_headers.items()},
                        self._excerpt(body))

    def close(self, exchange: Exchange, status: int | None, body: bytes | None, findings: Iterable[Finding]) -> None:
        """Record the response and the findings (logged one line each)."""
        exchange.status = status
        if body:
            exchange.response_body = self._excerpt(body)
        self.add(exchange, findings)

    def add(self, exchange: Exchange, findings: Iterable[Finding]) -> None:
        """More findings on an exchange (a stream's events, after its headers went out)."""
        fresh = [Finding(f.check, self.redact(f.message), f.decisions) for f in findings]
        if not fresh:
            return
        if not exchange.findings:
            self.exchanges.append(exchange)
        exchange.findings += fresh
        for finding in fresh:
            kind = "assumption" if finding.is_assumption else "violation"
            logger.warning("%s %s %s -> %s | %s: %s", kind, exchange.method, exchange.url,
                           exchange.status if exchange.status is not None else "-", finding.check, finding.message)

    def header_lines(self, findings: Sequence[Finding], limit: int) -> list[str]:
        """`check: message` lines for response headers: one line each, Latin-1 safe, redacted."""
        lines = []
        for finding in findings[:limit]:
            text = self.redact(f"{finding.check}: {finding.message}")
            text = " ".join(text.split()).encode("latin-1", "replace").decode("latin-1")
            lines.append(text if len(text) <= 300 else text[:297] + "...")
        return lines

    # -- totals -----------------------------------------------------------------------------------------------
    @property
    def violations(self) -> list[tuple[Exchange, Finding]]:
        return [(e, f) for e in self.exchanges for f in e.findings if not f.is_assumption]

    @property
    def assumptions(self) -> list[tuple[Exchange, Finding]]:
        return [(e, f) for e in self.exchanges for f in e.findings if f.is_assumption]

    @property
    def exit_code(self) -> int:
        return 1 if self.violations else 0

    def summary(self) -> str:
        requests = sum(self.seen.values())
        by_check: dict[str, int] = {}
        for _, finding in self.violations:
            by_check[finding.check] = by_check.get(finding.check, 0) + 1
        checks = ", ".join(f"{check} x{count}" for check, count in sorted(by_check.items()))
        assumed = f", {len(self.assumptions)} assumption(s) contradicted" if self.assumptions else ""
        if not by_check:
            return f"contracts proxy: {requests} request(s), no contract violation{assumed}."
        return f"contracts proxy: {requests} request(s), {len(self.violations)} violation(s): {checks}{assumed}."

    # -- reports ----------------------------------------------------------------------------------------------
    def to_json(self) -> str:
        def exchange_json(exchange: Exchange, findings: list[Finding]) -> dict[str, Any]:
            return {
                "at": round(exchange.at, 3),
                "operation": exchange.operation,
                "request": {"method": exchange.method, "url": exchange.url, "headers": exchange.request_headers,
                            "body": exchange.request_body},
                "response": {"status": exchange.status, "body": exchange.response_body},
                "findings": [_finding_json(finding) for finding in findings],
            }

        document = {
            "spec": self.spec,
            "upstream": self.upstream,
            "started": round(self.started, 3),
            "stopped": round(time.time(), 3),
            "requests": sum(self.seen.values()),
            "operations": self.seen,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "violations": [
                exchange_json(e, [f for f in e.findings if not f.is_assumption])
                for e in self.exchanges if any(not f.is_assumption for f in e.findings)
            ],
            "assumptions": [
                exchange_json(e, [f for f in e.findings if f.is_assumption])
                for e in self.exchanges if any(f.is_assumption for f in e.findings)
            ],
        }
        return self.redact(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"

    def to_junit(self) -> str:
        cases = []
        for operation in self.seen:
            outcomes = []
            for assumption, kind in ((False, "failure"), (True, "skipped")):
                grouped: dict[str, list[tuple[Exchange, Finding]]] = {}
                for exchange in self.exchanges:
                    for finding in exchange.findings:
                        if exchange.operation == operation and finding.is_assumption == assumption:
                            grouped.setdefault(finding.check, []).append((exchange, finding))
                for check, found in grouped.items():
                    lines = [f"{e.method} {e.url} -> {e.status}: {f.message}" for e, f in found[:_JUNIT_MESSAGES]]
                    more = f"\n... and {len(found) - _JUNIT_MESSAGES} more" if len(found) > _JUNIT_MESSAGES else ""
                    title = f"{check}: {found[0][1].message}" + (f" ({len(found)} times)" if len(found) > 1 else "")
                    if assumption:
                        pointers = ", ".join(sorted({f"#{d.pointer}" for _, f in found for d in f.decisions}))
                        title = f"rests only on the spec's decisions ({pointers}): {title}"
                    outcomes.append(JunitOutcome(kind, check, self.redact(title), self.redact("\n".join(lines) + more)))
            cases.append(JunitCase(operation, tuple(outcomes)))
        return self.redact(render_suites([("contracts proxy", cases)]))

    def write(self, report: Path | None, junit: Path | None) -> None:
        for path, text in ((report, self.to_json), (junit, self.to_junit)):
            if path is None:
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text(), encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc

    def _is_secret_header(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in self._secret_headers or bool(_SECRET_NAMES.search(lowered))

    def _is_secret_query(self, name: str) -> bool:
        return name in self._secret_query or bool(_SECRET_NAMES.search(name))

    def _excerpt(self, body: bytes) -> str:
        text = body[: _BODY_EXCERPT * 4].decode("utf-8", errors="replace")
        text = text if len(text) <= _BODY_EXCERPT else text[:_BODY_EXCERPT] + "..."
        return self.redact(text)


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "check": finding.check,
        "message": finding.message,
        "decisions": [{"pointer": f"#{d.pointer}", "line": d.line, "broken": sorted(d.broken), "note": d.note}
                      for d in finding.decisions],
    }
