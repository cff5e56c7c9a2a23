"""`contracts` command line: one sub-command per module, each adding its own arguments.

Exit codes: 0 clean, 1 findings (violations, lint errors, breaking changes), 2 usage error, unreachable server, or a
contract run that did not test (credentials rejected).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from contracts.errors import ContractsError

__all__ = ["main"]

# sub-command name -> module exposing `add_arguments(parser)` and `execute(args) -> int`
COMMANDS: dict[str, str] = {
    "run": "contracts.commands.run",
    "proxy": "contracts.commands.proxy",
    "lint": "contracts.commands.lint",
    "diff": "contracts.commands.diff",
    "release-check": "contracts.commands.release_check",
}


def build_parser(only: str | None = None) -> tuple[argparse.ArgumentParser, dict[str, object]]:
    """The argument parser with every registered sub-command; with `only`, that one's module alone is imported
    (the others are listed by name), so `contracts lint` does not pay for importing Schemathesis."""
    parser = argparse.ArgumentParser(prog="contracts", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    modules: dict[str, object] = {}
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name)
            continue
        module = modules[name] = importlib.import_module(module_name)
        doc = (module.__doc__ or "").strip().splitlines()
        command = sub.add_parser(name, help=doc[0] if doc else None, description=module.__doc__)
        module.add_arguments(command)  # type: ignore[attr-defined]
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `contracts` command line; returns the exit code."""
    given = list(sys.argv[1:] if argv is None else argv)
    chosen = next((word for word in given if not word.startswith("-")), None)
    parser, modules = build_parser(chosen if chosen in COMMANDS else None)
    args = parser.parse_args(given)
    try:
        return int(modules[args.command].execute(args))  # type: ignore[attr-defined]
    except ContractsError as exc:
        print(f"contracts {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
