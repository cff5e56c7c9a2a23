"""`mock-server serve`: parse arguments, build `Settings`, run the app with uvicorn."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mock_server.errors import MockServerError, SettingsError
from mock_server.logs import LOG_LEVEL_NAMES, uvicorn_log_config
from mock_server.settings import DEFAULT_SPECS_DIR, Settings, settings_to_json

__all__ = ["main", "settings_from_args"]

WORKER_HEALTHCHECK_S = 60  # how long a `--workers` process may take to answer uvicorn's health ping


def _latency(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        bounds = (int(low), int(high or low))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--latency takes MIN-MAX in milliseconds, e.g. 50-200, not {text!r}") from exc
    if bounds[0] < 0 or bounds[1] < bounds[0]:
        raise argparse.ArgumentTypeError(f"--latency {text!r}: need 0 <= MIN <= MAX")
    return bounds


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--error-rate takes a fraction between 0 and 1, not {text!r}") from exc
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"--error-rate {text}: must be between 0 and 1")
    return value


_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "M": 1024**2, "MB": 1024**2, "G": 1024**3, "GB": 1024**3}


def _size(text: str) -> int:
    number = text.strip().upper().rstrip("IB") if text.strip().upper().endswith("IB") else text.strip().upper()
    digits = number.rstrip("KMGB")
    try:
        return int(float(digits) * _UNITS[number[len(digits):]])
    except (ValueError, KeyError) as exc:
        raise argparse.ArgumentTypeError(f"--max-body takes a size like 5MB, 512KB or 1048576, not {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mock-server", description="Stateful OpenAPI mock server.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve every spec as a stateful mock")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4010)
    serve.add_argument("--specs", nargs="+", type=Path, default=[DEFAULT_SPECS_DIR], metavar="PATH",
                       help="spec files or folders (default: the bundled specs/)")
    serve.add_argument("--seed", type=int, default=None, help="make generated data reproducible")
    serve.add_argument("--seed-items", type=int, default=3, help="generated items per top-level collection")
    serve.add_argument("--state", default="memory",
                       help="memory (default), sqlite:///path/to/mock.db or redis://host:port/db (shared by workers)")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="worker processes (default 1); share state with --state sqlite:// or redis://")
    serve.add_argument("--max-body", type=_size, default=Settings().max_body_bytes, metavar="SIZE",
                       help="largest request body accepted, e.g. 5MB (default); larger ones get a 413")
    serve.add_argument("--no-cors", action="store_true", help="do not answer CORS preflights or add CORS headers")
    serve.add_argument("--auth-token", default=None, help="accept only this credential (default: any non-empty)")
    serve.add_argument("--admin-token", default=None, help="open /__mock/ to non-loopback clients with this token")
    serve.add_argument("--latency", type=_latency, default=(0, 0), metavar="MIN-MAX", help="added delay in ms")
    serve.add_argument("--error-rate", type=_rate, default=0.0, metavar="R",
                       help="fraction of requests answered with a documented 5xx/429")
    serve.add_argument("--stream-delay", type=int, default=20, metavar="MS",
                       help="pause between streamed events (SSE and WebSocket), in ms (default 20)")
    serve.add_argument("--stubs", type=Path, default=None, metavar="FILE",
                       help="load request-matching stubs from this YAML file at start (docs/stubs.md)")
    serve.add_argument("--validate-responses", action="store_true", help="check every response against the spec")
    serve.add_argument("--log-level", default="warning", choices=LOG_LEVEL_NAMES,
                       help="warning (default): only what needs your attention; info: one line per request")
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The `Settings` a parsed `serve` command line describes."""
    if args.seed_items < 0:
        raise SettingsError("--seed-items must be 0 or more")
    if args.workers < 1:
        raise SettingsError("--workers must be 1 or more")
    return Settings(
        specs=tuple(args.specs), seed=args.seed, state=args.state, seed_items=args.seed_items,
        cors=not args.no_cors, auth_token=args.auth_token, admin_token=args.admin_token,
        latency_ms=args.latency, error_rate=args.error_rate, validate_responses=args.validate_responses,
        stream_delay_ms=max(0, args.stream_delay),
        max_body_bytes=args.max_body, stubs=args.stubs,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run `mock-server`; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from_args(args)
        if args.workers > 1:
            return _serve_workers(args, settings)
        from mock_server.web.app import create_app

        app = create_app(settings)
    except MockServerError as exc:
        print(f"mock-server: error: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    _banner(args, app_mounts(app))
    from mock_server.web.app import settle_memory

    settle_memory()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                    log_config=uvicorn_log_config(args.log_level))
    except OSError as exc:
        print(f"mock-server: error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    return 0


def _banner(args: argparse.Namespace, mounts: dict[str, str]) -> None:
    origin = f"http://{args.host}:{args.port}"
    for name, mount in mounts.items():
        print(f"{name:<18} {origin}{mount}   Swagger UI: {origin}{mount}/ui/")
    print(f"dashboard: {origin}/  (in a browser; admin API: {origin}/__mock/, reset: POST {origin}/__mock/reset)",
          flush=True)


def _serve_workers(args: argparse.Namespace, settings: Settings) -> int:
    """Run `--workers N` processes; each builds the app from the Settings passed in the environment."""
    import asyncio
    import os

    import uvicorn

    from mock_server.loader import discover_specs, load_spec
    from mock_server.store import open_store
    from mock_server.web.app import SETTINGS_ENV, WORKERS_ENV

    if settings.state in ("memory", "memory://", ""):
        print(f"mock-server: warning: --state memory with --workers {args.workers}: every worker process keeps its "
              "own state, so a resource created through one worker is unknown to the others. Share state with "
              "--state sqlite:///path/to/mock.db or --state redis://host:port/db.", file=sys.stderr, flush=True)
    store = open_store(settings.state)  # a bad URL fails here, once; SQLite creates its tables before the workers
    asyncio.run(store.close())
    if settings.stubs is not None:  # a bad stubs file fails here, once, not in every worker
        from mock_server.stubs import load_stubs_file
        from mock_server.web.app import load_apis

        load_stubs_file(settings.stubs, load_apis(settings.specs))
    _banner(args, {path.stem: load_spec(path).mount for path in discover_specs(settings.specs)})
    os.environ[SETTINGS_ENV] = settings_to_json(settings)
    os.environ[WORKERS_ENV] = str(args.workers)
    try:
        # uvicorn kills a worker that does not answer its health ping within 5 s by default; a mock on a busy CI
        # machine (2 cores, tests and load generator beside it) can be that slow without being hung.
        uvicorn.run("mock_server.web.app:app_from_environment", factory=True, workers=args.workers,
                    host=args.host, port=args.port, log_level=args.log_level,
                    log_config=uvicorn_log_config(args.log_level), timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
    except OSError as exc:
        print(f"mock-server: error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    return 0


def app_mounts(app: object) -> dict[str, str]:
    """Each API an app built by `create_app` serves, by name: where it is mounted (`/<name><base path>`)."""
    from mock_server.web.app import find_server

    apis = find_server(app).apis
    return {name: apis[name].spec.mount for name in sorted(apis)}
