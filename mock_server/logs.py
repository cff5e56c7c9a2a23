"""What `mock-server serve` logs: one line per request at `--log-level info`, and only what the user must act on
at the default `warning`.

The libraries under the mock report expected client behaviour as if it were trouble: Connexion warns on every
body lookup of an operation that takes several media types (seven lines per upload) and logs a form that fails
validation as an ERROR; uvicorn's WebSocket protocol logs every refused handshake as an ERROR, and the websockets
library adds its own line per connection; a client that leaves mid-request surfaces as a traceback. The client
already gets its answer (a 4xx naming the problem, or nothing because it left), so `ExpectedNoise` drops those
records or shortens them to one line; everything else passes unchanged.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from starlette.requests import ClientDisconnect
from uvicorn.config import LOG_LEVELS, LOGGING_CONFIG

__all__ = ["LOG_LEVEL_NAMES", "ExpectedNoise", "uvicorn_log_config"]

LOG_LEVEL_NAMES = tuple(LOG_LEVELS)

# (logger name prefix, message prefix): records that describe an expected client request, not a problem
_DROPPED = (
    ("connexion.operations", "this operation accepts multiple content types"),
    ("connexion.validators.form_data", "Validation error"),  # the client gets the 400 with this message
    ("uvicorn.error", "ASGI callable returned without completing handshake"),  # after a refusal we sent
)
# The websockets library logs through uvicorn's logger: these repeat uvicorn's own line for the connection.
_LIBRARY_CHATTER = ("connection open", "connection closed", "connection rejected", "HTTP response sent")


class ExpectedNoise(logging.Filter):
    """Drop (or cut to one line) the records that report expected client behaviour; see the module docstring."""

    def __init__(self, level: str = "warning") -> None:
        super().__init__()
        self.level = LOG_LEVELS.get(level.lower(), logging.WARNING)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for name, prefix in _DROPPED:
            if record.name.startswith(name) and message.startswith(prefix):
                return False
        if record.name == "uvicorn.error" and record.levelno <= logging.INFO and message.startswith(_LIBRARY_CHATTER):
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, ClientDisconnect):
            record.msg, record.args = f"{message}: the client disconnected before sending its whole request", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
            return self.level <= logging.INFO
        return True


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration, with the mock's and the libraries' loggers on the same handlers and
    `ExpectedNoise` on every handler. Connexion's INFO lines (one per check) show only at `debug`."""
    config = copy.deepcopy(LOGGING_CONFIG)
    numeric = LOG_LEVELS.get(level.lower(), logging.WARNING)
    config["filters"] = {"expected_noise": {"()": f"{__name__}.ExpectedNoise", "level": level}}
    for handler in config["handlers"].values():
        handler["filters"] = ["expected_noise"]
    config["root"] = {"handlers": ["default"], "level": numeric}
    config["loggers"]["connexion"] = {"level": numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING)}
    return config
