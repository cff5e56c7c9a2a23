"""What a spec says about credentials: which header carries a token, where each scheme puts its secret, and how
to tell a user whose credentials were rejected what the spec expects.

Schemes are read from `components.securitySchemes`; an operation's requirements are its own `security`, else the
top-level one (OpenAPI 3.0 rules: a list of alternatives, each naming schemes that must all be present).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from contracts.errors import UsageError

__all__ = [
    "CredentialLocation",
    "credential_headers",
    "credential_locations",
    "describe_expected",
    "requirements",
    "security_schemes",
]

_BEARER_KINDS = ("oauth2", "openIdConnect")
_DESCRIPTION_LIMIT = 160


@dataclass(frozen=True, slots=True)
class CredentialLocation:
    """Where a scheme puts its secret: `in` is header, query or cookie; `prefix` is the HTTP auth scheme word."""

    scheme: str
    where: str
    name: str
    prefix: str = ""


def security_schemes(raw: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    """The spec's security schemes by name (only well-formed ones)."""
    schemes = (raw.get("components") or {}).get("securitySchemes") or {}
    return {name: scheme for name, scheme in schemes.items() if isinstance(scheme, Mapping)}


def requirements(raw: Mapping[str, Any], operation: Mapping[str, Any] | None = None) -> list[Mapping[str, Any]]:
    """The security alternatives of `operation` (its own `security`, else the top-level one); `[]` is none."""
    if operation is not None and isinstance(operation.get("security"), list):
        return [item for item in operation["security"] if isinstance(item, Mapping)]
    return [item for item in raw.get("security") or [] if isinstance(item, Mapping)]


def location_of(name: str, scheme: Mapping[str, Any]) -> CredentialLocation | None:
    """Where scheme `name` carries its secret; `None` for kinds we cannot place (mutualTLS, unknown)."""
    kind = scheme.get("type")
    if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie") and scheme.get("name"):
        return CredentialLocation(name, str(scheme["in"]), str(scheme["name"]))
    if kind == "http":
        word = str(scheme.get("scheme", "")).lower()
        return CredentialLocation(name, "header", "Authorization", "Basic" if word == "basic" else word.capitalize())
    if kind in _BEARER_KINDS:
        return CredentialLocation(name, "header", "Authorization", "Bearer")
    return None


def credential_locations(raw: Mapping[str, Any]) -> list[CredentialLocation]:
    """Every place a scheme of the spec puts a secret (for redaction and for security checks)."""
    found = [location_of(name, scheme) for name, scheme in security_schemes(raw).items()]
    return [location for location in found if location is not None]


def credential_headers(raw: Mapping[str, Any], token: str) -> dict[str, str]:
    """The header carrying `token` as the spec's security scheme wants it.

    The scheme is the first one named by the top-level `security`, else the first in `components.securitySchemes`.
    `http`/`bearer`, `oauth2` and `openIdConnect` send `Authorization: Bearer <token>`; an `apiKey` in a header sends
    the token as is (put any prefix such as `token ` in the value, or use a plain header instead).
    """
    schemes = security_schemes(raw)
    names = [name for requirement in requirements(raw) for name in requirement] or list(schemes)
    if not names or names[0] not in schemes:
        raise UsageError("the spec declares no security scheme to send the token with; pass it as a header instead")
    scheme = schemes[names[0]]
    kind = scheme.get("type")
    if kind == "apiKey" and scheme.get("in") == "header":
        return {str(scheme["name"]): token}
    if (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer") or kind in _BEARER_KINDS:
        return {"Authorization": f"Bearer {token}"}
    raise UsageError(f"security scheme {names[0]!r} ({kind}) cannot take a token from the environment; use a header")


def describe_expected(raw: Mapping[str, Any], operations: Iterable[Mapping[str, Any]] = ()) -> str:
    """One sentence on the credentials the spec expects for `operations` (all of the spec's when empty)."""
    alternatives: list[tuple[str, ...]] = []
    for operation in list(operations) or [None]:
        for requirement in requirements(raw, operation):
            names = tuple(requirement)
            if names and names not in alternatives:
                alternatives.append(names)
    if not alternatives:
        return "The spec declares no security requirement for these operations."
    schemes = security_schemes(raw)
    described = [" together with ".join(_describe(name, schemes.get(name)) for name in names) for names in alternatives]
    return "The spec expects " + ", or ".join(described) + "."


def _describe(name: str, scheme: Mapping[str, Any] | None) -> str:
    if scheme is None:
        return f"`{name}` (not declared in components.securitySchemes)"
    location = location_of(name, scheme)
    if location is None:
        return f"`{name}` ({scheme.get('type')})"
    value = f"{location.prefix} <token>" if location.prefix else "<value>"
    shown = f"{location.name}: {value}" if location.where == "header" else f"{location.where} {location.name}=<value>"
    kind = f"{scheme.get('type')} {scheme.get('scheme', '')}".strip()
    description = " ".join(str(scheme.get("description") or "").split()).rstrip(".")
    if len(description) > _DESCRIPTION_LIMIT:
        description = description[: _DESCRIPTION_LIMIT - 3] + "..."
    return f"`{shown}` (scheme `{name}`, {kind}" + (f": {description}" if description else "") + ")"
