"""Path templates as regular expressions: one segment per `{name}`, as Connexion's untyped converters match."""

from __future__ import annotations

import re

__all__ = ["compile_path", "path_names"]


def compile_path(path: str) -> re.Pattern[str]:
    """`/pets/{petId}` -> `^/pets/([^/]+)$`."""
    pattern = "".join("([^/]+)" if part.startswith("{") and part.endswith("}") else re.escape(part)
                      for part in re.split(r"(\{[^}/]+\})", path))
    return re.compile(f"^{pattern}$")


def path_names(path: str) -> tuple[str, ...]:
    """The template's parameter names, in order."""
    return tuple(re.findall(r"\{([^}/]+)\}", path))
