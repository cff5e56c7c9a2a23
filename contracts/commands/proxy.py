"""Validating proxy: forward live traffic to a deployment and check every request and response against the spec.

Each response gets `x-contract-violations: N` (and up to 5 `x-contract-violation: <check>: <message>` lines); each
violation is logged. On SIGINT or SIGTERM the proxy stops, writes the report and the JUnit file, and exits.
Exit codes: 0 no violation seen, 1 violations seen, 2 bad usage (unknown spec, bad upstream URL, port in use).
"""

from __future__ import annotations

import argparse
import errno
import logging
import re
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn

from contracts.commands.run import resolve_spec
from contracts.errors import SpecLoadError, UsageError
from contracts.proxy.forwarding import ProxyApp
from contracts.proxy.report import ProxyLog
from contracts.proxy.validation import Validator
from contracts.specfile import load_spec_document

__all__ = ["add_arguments", "execute"]

_SHUTDOWN_GRACE = 3  # seconds open streams get to finish before the proxy stops anyway


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of `contracts proxy`."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--api", metavar="NAME", help="check against specs/NAME.yaml")
    target.add_argument("--spec", metavar="FILE", type=Path, help="check against this OpenAPI file")
    parser.add_argument("--upstream", required=True, metavar="URL", help="the deployment's root: the spec's paths "
                        "are appended to it")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4011, help="port to listen on (default 4011; 0: any free port)")
    parser.add_argument("--report", type=Path, metavar="FILE.json", help="write every violation here on exit")
    parser.add_argument("--junit-xml", type=Path, metavar="FILE", help="write a JUnit XML report on exit")


def execute(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM, then write the reports; 1 if any violation was seen."""
    spec = resolve_spec(args.api, args.spec)
    if not re.match(r"^https?://[^/\s]+", args.upstream):
        raise UsageError(f"--upstream must be an http(s) URL, got {args.upstream!r}")
    document = load_spec_document(spec)
    if "paths" not in document.data:
        raise SpecLoadError(f"spec {spec} is not an OpenAPI document")
    for path in (args.report, args.junit_xml):
        if path is not None and path.is_dir():
            raise UsageError(f"{path} is a directory; give a file name")
    log = ProxyLog(str(spec), args.upstream, document.data)
    app = ProxyApp(Validator(document), args.upstream, log)
    sock = _bind(args.host, args.port)
    _log_to_stderr()
    host, port = sock.getsockname()[:2]
    sys.stdout.write(f"contracts proxy: http://{host}:{port} -> {args.upstream} (checking against {spec})\n")
    sys.stdout.flush()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", ws="websockets-sansio",
                            server_header=False, date_header=False,
                            timeout_graceful_shutdown=_SHUTDOWN_GRACE)
    server = uvicorn.Server(config)
    # uvicorn re-raises the signal that stopped it once it is done; with these handlers in place it lands here
    # instead of killing the process, so the reports below are still written.
    previous = {sig: signal.signal(sig, _note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    log.write(args.report, args.junit_xml)
    sys.stderr.write(log.summary() + "\n")
    sys.stderr.flush()
    return log.exit_code


def _note(signum: int, frame: Any) -> None:
    """Nothing to do: uvicorn has already started the shutdown."""


def _bind(host: str, port: int) -> socket.socket:
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host!r} cannot be resolved: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound: {exc.strerror}"
        raise UsageError(f"{host}:{port} {reason}") from exc
    sock.listen(128)
    return sock


def _log_to_stderr() -> None:
    logger = logging.getLogger("contracts.proxy")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("contracts proxy: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
