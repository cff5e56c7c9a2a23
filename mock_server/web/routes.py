"""Path templates as regular expressions, as Connexion's Starlette routes match them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["compile_path", "path_names"]

# Connexion's converters for typed path parameters (connexion/frameworks/starlette.py): a value that does not match
# routes nowhere (or to a later template), it is not a validation error.
_TYPED = {"integer": r"[+-]?[0-9]+", "number": r"[+-]?[0-9]*(?:\.[0-9]*)?"}


def compile_path(path: str, schemas: Mapping[str, Any] | None = None) -> re.Pattern[str]:
    """`/pets/{petId}` -> `^/pets/([^/]+)$`; with the path parameters' schemas, typed segments as Connexion's."""
    def segment(name: str) -> str:
        schema = (schemas or {}).get(name)
        kind = schema.get("type") if isinstance(schema, Mapping) else None
        return f"({_TYPED.get(kind, '[^/]+')})" if isinstance(kind, str) else "([^/]+)"

    pattern = "".join(segment(part[1:-1]) if part.startswith("{") and part.endswith("}") else re.escape(part)
                      for part in re.split(r"(\{[^}/]+\})", path))
    return re.compile(f"^{pattern}$")


def path_names(path: str) -> tuple[str, ...]:
    """The template's parameter names, in order."""
    return tuple(re.findall(r"\{([^}/]+)\}", path))
