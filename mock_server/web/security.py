"""Credentials, checked the way each spec's security schemes say: one decision for the fast path and Connexion.

Each operation's requirements compile at start-up into alternatives of credentials (OpenAPI: any requirement
object may pass; within one, every scheme must). A credential is where it travels (header, query, cookie) and the
scheme word that must lead it:
- `http` `bearer` and every `oauth2` / `openIdConnect` scheme: `Authorization: Bearer <token>`;
- `http` `basic`: `Authorization: Basic base64(user:password)` (the password, else the user, is the secret);
- other `http` schemes: `Authorization: <scheme> <secret>`;
- `apiKey`: the named header, query parameter or cookie; with `x-mock: {scheme: token}` on the security scheme
  the value must read `token <secret>` (a spec's documented prefix; the word is matched case-insensitively).
The secret passes when it is not empty, or, with `--auth-token T`, when it is exactly `T`. A failure is a 401
(`AuthenticationProblem`), whatever statuses the operation documents: the client must learn it is not signed in.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

from connexion.exceptions import ProblemException
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.models import ApiModel
from mock_server.violations import Violation
from mock_server.web.scopes import query_params, request_headers

__all__ = ["AuthenticationProblem", "Credential", "OperationSecurity", "SecurityGate", "accepts", "compile_security"]


class AuthenticationProblem(ProblemException):
    """A missing or wrong credential: rendered as a 401 in the API's error shape, naming where it travels."""

    def __init__(self, failure: Violation, challenge: str) -> None:
        super().__init__(status=401, title="Unauthorized", detail=failure.message,
                         headers={"WWW-Authenticate": challenge})
        self.violations = [failure]


def accepts(secret: str | None, required: str | None) -> bool:
    """Whether a secret passes: any non-empty one, or (with `--auth-token`) exactly that one.

    A value of two words (`Token abc` in a header a spec declares without a scheme word) passes when its last word
    is the required secret."""
    value = (secret or "").strip()
    if not value:
        return False
    return required is None or required in (value, value.split(None, 1)[-1])


@dataclass(frozen=True, slots=True)
class Credential:
    """One security scheme: where its value travels and the scheme word that must lead it."""

    location: str  # header | query | cookie
    name: str  # header names lower-case
    scheme: str | None = None  # lower-case word before the secret (`bearer`, `basic`, `token`), None: the bare value
    label: str = ""  # how the client must send it, for messages
    shown_name: str = ""  # the name as the spec writes it (`Authorization`)

    def sent_as(self, secret: str) -> tuple[str, str, str]:
        """(location, name, value) of a request carrying `secret` the way this credential must be sent."""
        if self.scheme == "basic":
            value = "Basic " + base64.b64encode(f"user:{secret}".encode()).decode()
        elif self.scheme is not None:
            value = f"{self.scheme.capitalize() if self.scheme == 'bearer' else self.scheme} {secret}"
        else:
            value = secret
        return self.location, self.shown_name or self.name, value

    def problem(self, reason: str) -> Violation:
        """The violation a failure of this credential is reported as."""
        kind = "missing" if reason.startswith("missing") else "invalid_credentials"
        return Violation((self.location, self.name), reason, kind)

    def secret(self, headers: Mapping[str, str], query: Mapping[str, str]) -> tuple[str | None, str | None]:
        """(the secret, None) or (None, why it is missing or malformed)."""
        if self.location == "header":
            raw = headers.get(self.name)
        elif self.location == "query":
            raw = query.get(self.name)
        else:
            raw = _cookie(headers.get("cookie"), self.name)
        if raw is None or not raw.strip():
            return None, f"missing credential: send {self.label}"
        if self.scheme is None:
            return raw.strip(), None
        word, _, rest = raw.strip().partition(" ")
        if word.lower() != self.scheme or not rest.strip():
            return None, f"wrong credential scheme: send {self.label}"
        rest = rest.strip()
        if self.scheme == "basic":
            return _basic_secret(rest), None
        return rest, None


@dataclass(frozen=True, slots=True)
class OperationSecurity:
    """An operation's requirements: alternatives, each a tuple of credentials; empty when open."""

    alternatives: tuple[tuple[Credential, ...], ...]

    @property
    def challenge(self) -> str:
        """The `WWW-Authenticate` value of a 401: the first alternative's scheme word."""
        first = self.alternatives[0][0] if self.alternatives and self.alternatives[0] else None
        word = (first.scheme or "ApiKey") if first is not None else "Bearer"
        return word.capitalize() if word.islower() else word

    def failure(self, headers: Mapping[str, str], query: Mapping[str, str],
                auth_token: str | None) -> Violation | None:
        """None when some alternative passes, else why: a wrong credential before a missing one."""
        if not self.alternatives:
            return None
        problems: list[Violation] = []
        for credentials in self.alternatives:
            problem = None
            for credential in credentials:
                secret, why = credential.secret(headers, query)
                if why is None and not accepts(secret, auth_token):
                    why = "invalid credential"
                if why is not None:
                    problem = credential.problem(why)
                    break
            if problem is None:
                return None
            problems.append(problem)
        wrong = [p for p in problems if p.kind != "missing"]
        return (wrong or problems)[0]


def compile_security(api: ApiModel) -> dict[str, OperationSecurity]:
    """Every operation's requirements, by operationId, from the (normalised) document."""
    document = api.spec.document
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    compiled: dict[str, Credential | None] = {name: _credential(api.spec.resolve(s)) for name, s in schemes.items()}
    out: dict[str, OperationSecurity] = {}
    for op in api.operations:
        raw = api.spec.resolve((document.get("paths") or {}).get(op.path) or {}).get(op.method) or {}
        requirements = raw.get("security", document.get("security")) or []
        alternatives: list[tuple[Credential, ...]] = []
        for requirement in requirements:
            if not requirement:  # `{}`: anonymous access is allowed
                alternatives = []
                break
            known = tuple(c for name in requirement if (c := compiled.get(name)) is not None)
            if known:
                alternatives.append(known)
        out[op.operation_id] = OperationSecurity(tuple(alternatives))
    return out


def _credential(scheme: Mapping[str, Any]) -> Credential | None:
    kind = scheme.get("type")
    if kind in ("oauth2", "openIdConnect"):
        return Credential("header", "authorization", "bearer", "an `Authorization: Bearer <token>` header",
                          "Authorization")
    if kind == "http":
        word = str(scheme.get("scheme") or "bearer").lower()
        shown = "Basic base64(user:password)" if word == "basic" else f"{word.capitalize()} <token>"
        return Credential("header", "authorization", word, f"an `Authorization: {shown}` header", "Authorization")
    if kind == "apiKey":
        location, name = str(scheme.get("in", "header")), str(scheme.get("name", ""))
        mock = scheme.get("x-mock") if isinstance(scheme.get("x-mock"), Mapping) else {}
        word = str(mock["scheme"]).lower() if mock.get("scheme") else None
        value = f"{mock['scheme']} <secret>" if word else "<secret>"
        where = {"header": f"an `{name}: {value}` header", "query": f"the `{name}` query parameter",
                 "cookie": f"the `{name}` cookie"}.get(location, f"`{name}`")
        return Credential(location, name.lower() if location == "header" else name, word, where, name)
    return None  # mutualTLS and unknown types: nothing a mock can check


def _basic_secret(encoded: str) -> str | None:
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return password or user


def _cookie(header: str | None, name: str) -> str | None:
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


class SecurityGate:
    """Connexion middleware in place of its SecurityMiddleware: the routed operation's `OperationSecurity`."""

    def __init__(self, app: ASGIApp, rules: Mapping[str, Mapping[str, OperationSecurity]],
                 auth_token: str | None) -> None:
        self.app, self.rules, self.auth_token = app, rules, auth_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            routing = (scope.get("extensions") or {}).get("connexion_routing") or {}
            api_rules = self.rules.get(str(routing.get("api_base_path") or ""))
            security = api_rules.get(str(routing.get("operation_id"))) if api_rules else None
            if security is not None and security.alternatives:
                failure = security.failure(request_headers(scope), query_params(scope), self.auth_token)
                if failure is not None:
                    raise AuthenticationProblem(failure, security.challenge)
        await self.app(scope, receive, send)
