"""Rules about `servers` (at the root, on path items and on operations): URL variables and URL style."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from contracts.findings import Severity
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.rules.common import TEMPLATE, mapping
from contracts.lint.walk import items, nodes
from contracts.specfile import SpecDocument, join_pointer

__all__ = ["RULES"]

RULES = RuleRegistry()
rule = RULES.rule

_EXAMPLE_HOST = re.compile(r"^([a-z][a-z0-9+.-]*:)?//([^/?#@]*@)?(www\.)?example\.com(:\d+)?([/?#]|$)", re.IGNORECASE)
_SPACE = re.compile(r"\s")


@rule("server-variables")
def server_variables(doc: SpecDocument) -> Iterator[Violation]:
    """Server URL variables are all defined and used, defaults are among their `enum`, and every value gives a URL."""
    for pointer, server in _servers(doc):
        url = server.get("url")
        if not isinstance(url, str):
            continue
        variables = mapping(server.get("variables"))
        used = [name for name in TEMPLATE.findall(url) if name]
        for name in dict.fromkeys(used):
            if name not in variables:
                message = f"URL variable {{{name}}} is not defined: add it under `variables`, with a default"
                yield Violation(pointer, message)
        for name, variable in items(variables):
            where = join_pointer(pointer, "variables", name)
            if name not in used:
                yield Violation(where, f"server variable {name!r} is not in the URL {url!r}: use it or remove it")
            enum, default = mapping(variable).get("enum"), mapping(variable).get("default")
            if isinstance(enum, list) and "default" in mapping(variable) and default not in enum:
                message = f"default {default!r} is not one of the variable's enum values {enum}: add it or change it"
                yield Violation(join_pointer(where, "default"), message)
        if all(name in variables for name in used):
            yield from _broken_substitutions(url, variables, pointer)


@rule("server-url", severity=Severity.WARNING)
def server_url(doc: SpecDocument) -> Iterator[Violation]:
    """Server URLs do not end with a slash (paths start with one) and are not example.com placeholders."""
    for pointer, server in _servers(doc):
        url = server.get("url")
        if not isinstance(url, str):
            continue
        where = join_pointer(pointer, "url")
        if len(url) > 1 and url.endswith("/"):
            yield Violation(where, f"server URL {url!r} ends with a slash (paths start with one): remove it")
        if _EXAMPLE_HOST.match(url):
            yield Violation(where, f"server URL {url!r} is an example.com placeholder: give the API's real address")


def _servers(doc: SpecDocument) -> Iterator[tuple[str, Mapping[str, Any]]]:
    owners = [("", doc.data)]
    owners += [(node.pointer, node.value) for node in (*nodes(doc, "path_item"), *nodes(doc, "operation"))]
    for owner_pointer, owner in owners:
        servers = owner.get("servers")
        for index, server in enumerate(servers if isinstance(servers, list) else ()):
            if isinstance(server, Mapping):
                yield join_pointer(owner_pointer, "servers", index), server


def _broken_substitutions(url: str, variables: Mapping[str, Any], pointer: str) -> Iterator[Violation]:
    """Each value a variable may take (its enum, else its default), the others at their defaults, gives a URL."""
    defaults = {name: str(mapping(v).get("default", "")) for name, v in items(variables)}
    for name, variable in items(variables):
        enum = mapping(variable).get("enum")
        values = enum if isinstance(enum, list) else [mapping(variable).get("default", "")]
        for index, value in enumerate(values):
            result = _substitute(url, {**defaults, name: str(value)})
            problem = _url_problem(result)
            if problem:
                where = join_pointer(pointer, "variables", name, *(("enum", index) if isinstance(enum, list) else ()))
                message = f"with {name}={value!r} the server URL is {result!r}, which {problem}: fix the value"
                yield Violation(where, message)


def _substitute(url: str, values: Mapping[str, str]) -> str:
    return TEMPLATE.sub(lambda match: values.get(match.group(1), match.group(0)), url)


def _url_problem(url: str) -> str | None:
    """What makes `url` unusable as a server URL (absolute, or relative to the document), or None."""
    if _SPACE.search(url):
        return "contains a space"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number in range)
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme and parts.scheme in ("http", "https", "ws", "wss") and not parts.hostname:
        return "has no host"
    return None
