"""Security handlers for Connexion's `security_map`: accept any non-empty credential, or exactly `--auth-token`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.security import ApiKeySecurityHandler, BasicSecurityHandler, BearerSecurityHandler

__all__ = ["accepts", "security_map"]

TokenCheck = Callable[..., dict[str, Any] | None]


def accepts(credential: str | None, required: str | None) -> bool:
    """Whether a credential passes: any non-empty one, or (with `--auth-token`) exactly that secret."""
    value = (credential or "").strip()
    if not value:
        return False
    # `Authorization: token abc` style schemes carry a word before the secret: compare the secret.
    secret = value.split(None, 1)[-1] if " " in value else value
    return required is None or required in (value, secret)


def _checker(required: str | None) -> TokenCheck:
    def check(credential: str, *args: Any, required_scopes: Any = None, **kwargs: Any) -> dict[str, Any] | None:
        return {"sub": "mock-user", "scopes": []} if accepts(credential, required) else None

    return check


def security_map(auth_token: str | None) -> dict[str, type]:
    """Handler classes for the scheme types our specs use; they never need `x-*InfoFunc` in the spec."""
    check = _checker(auth_token)

    class Bearer(BearerSecurityHandler):
        def _resolve_func(self, security_scheme: Any) -> TokenCheck:
            return check

    class ApiKey(ApiKeySecurityHandler):
        def _resolve_func(self, security_scheme: Any) -> TokenCheck:
            return check

    class Basic(BasicSecurityHandler):
        def _resolve_func(self, security_scheme: Any) -> TokenCheck:
            return lambda username, password, *a, **k: check(password or username)

    return {"bearer": Bearer, "apiKey": ApiKey, "basic": Basic}
