"""Run property-based contract tests (Schemathesis) for one spec against a running server.

Exit codes: 0 no violation, 1 violations (or errors while testing), 2 bad usage, unreachable server, or a run that
did not test (credentials rejected: every valid case of an operation answered 401/403; or nothing answered 2xx).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from contracts.errors import UsageError
from contracts.report import write_json, write_junit, write_summary
from contracts.runner import PHASES, RunOptions, run_contracts

__all__ = ["add_arguments", "execute", "options_from", "parse_headers", "resolve_spec", "token_from_env"]

_API_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of `contracts run`."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--api", metavar="NAME", help="test specs/NAME.yaml (current directory, else the repo's)")
    target.add_argument("--spec", metavar="FILE", type=Path, help="test this OpenAPI file")
    parser.add_argument("--base-url", required=True, help="server root under which the spec's paths live")
    parser.add_argument(
        "--header", "-H", action="append", default=[], metavar="'NAME: VALUE'", help="send on every request"
    )
    parser.add_argument(
        "--token-env", metavar="VAR", help="read a token from $VAR and send it as the spec's security scheme says"
    )
    parser.add_argument("--read-only", action="store_true", help="only GET/HEAD/OPTIONS operations")
    parser.add_argument("--operations", metavar="PATTERN", help="regex over operationId or path")
    parser.add_argument("--max-examples", type=int, default=25, metavar="N", help="cases per operation and phase")
    parser.add_argument("--seed", type=int, metavar="N", help="fix the random seed (reproducible runs)")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="concurrent workers")
    parser.add_argument(
        "--phases", default=",".join(PHASES), metavar="LIST", help=f"comma-separated subset of {','.join(PHASES)}"
    )
    parser.add_argument("--rate-limit", metavar="N/UNIT", help="at most N requests per s|m|h, e.g. 10/s")
    parser.add_argument("--junit-xml", type=Path, metavar="PATH", help="also write a JUnit XML report")
    parser.add_argument("--report", type=Path, metavar="FILE.json", help="also write the run as JSON")
    parser.add_argument(
        "--strict", action="store_true", help="violations resting only on the spec's x-decision constraints fail too"
    )
    parser.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        help="pass a run whose requests were all refused 401/403 (a deliberately anonymous run)",
    )
    parser.add_argument("--request-timeout", type=float, default=10.0, metavar="SECONDS", help="per request")


def execute(args: argparse.Namespace) -> int:
    """Run the contract tests, print the summary, write the JUnit and JSON files; return the exit code."""
    result = run_contracts(options_from(args))
    if args.junit_xml is not None:
        write_junit(result, args.junit_xml)
    if args.report is not None:
        write_json(result, args.report)
    write_summary(result, sys.stdout)
    return result.exit_code


def options_from(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> RunOptions:
    """`RunOptions` from parsed `contracts run` arguments."""
    return RunOptions(
        spec=resolve_spec(args.api, args.spec),
        base_url=args.base_url,
        headers=parse_headers(args.header),
        token=token_from_env(args.token_env, environ) if args.token_env else None,
        read_only=args.read_only,
        operations=args.operations,
        max_examples=args.max_examples,
        seed=args.seed,
        workers=args.workers,
        phases=tuple(phase.strip() for phase in args.phases.split(",") if phase.strip()),
        rate_limit=args.rate_limit,
        request_timeout=args.request_timeout,
        strict=args.strict,
        allow_unauthenticated=args.allow_unauthenticated,
    )


def resolve_spec(api: str | None, spec: Path | None) -> Path:
    """The spec file: `spec` as given, or `specs/<api>.yaml` in the current directory, else in the repo."""
    if spec is not None:
        if not spec.is_file():
            raise UsageError(f"spec file {spec} does not exist")
        return spec
    if api is None or not _API_NAME.match(api):
        raise UsageError(f"--api takes a spec name such as 'my-api', got {api!r}")
    for directory in (Path.cwd() / "specs", _REPO_SPECS):
        candidate = directory / f"{api}.yaml"
        if candidate.is_file():
            return candidate
    known = sorted(path.stem for path in _REPO_SPECS.glob("*.yaml"))
    raise UsageError(f"no spec named {api!r} in ./specs or {_REPO_SPECS}; known: {', '.join(known) or 'none'}")


def parse_headers(values: Iterable[str]) -> dict[str, str]:
    """`['Name: value', ...]` as a dict; raises `UsageError` on a malformed entry."""
    headers: dict[str, str] = {}
    for index, value in enumerate(values, 1):
        name, separator, content = value.partition(":")
        name = name.strip()
        if not separator or not re.match(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", name):
            # The entry may hold a secret: never echo it.
            raise UsageError(f"--header #{index} is not of the form 'Name: value'")
        headers[name] = content.strip()
    return headers


def token_from_env(variable: str, environ: Mapping[str, str] = os.environ) -> str:
    """The secret in environment variable `variable`; raises `UsageError` when it is unset or empty."""
    token = environ.get(variable, "").strip()
    if not token:
        raise UsageError(f"environment variable {variable} (--token-env) is not set or empty")
    return token
