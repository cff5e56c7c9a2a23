"""Server settings: one frozen dataclass, the only place defaults are set."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_SPECS_DIR", "Settings", "settings_from_json", "settings_to_json"]

DEFAULT_SPECS_DIR = Path(__file__).resolve().parent.parent / "specs"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that changes how the mock behaves."""

    specs: tuple[Path, ...] = (DEFAULT_SPECS_DIR,)
    seed: int | None = None
    state: str = "memory"
    seed_items: int = 3
    cors: bool = True
    auth_token: str | None = None
    admin_token: str | None = None
    latency_ms: tuple[int, int] = (0, 0)
    error_rate: float = 0.0
    journal_size: int = 200
    max_body_bytes: int = 5 * 1024 * 1024
    validate_responses: bool = False
    fast_path: bool = True  # serve plain requests without Connexion's per-request layers (web/fastpath.py)
    stream_delay_ms: int = 20
    stubs: Path | None = None  # a stubs file loaded at start (mock_server/stubs/files.py)
    extra: dict[str, str] = field(default_factory=dict)


def settings_to_json(settings: Settings) -> str:
    """`Settings` as JSON, to hand to worker processes (see `web.app.app_from_environment`)."""
    return json.dumps(asdict(settings), default=str)


def settings_from_json(text: str) -> Settings:
    """The `Settings` that `settings_to_json` wrote."""
    raw: dict[str, Any] = json.loads(text)
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known}
    if "specs" in values:
        values["specs"] = tuple(Path(p) for p in values["specs"])
    if values.get("stubs"):
        values["stubs"] = Path(values["stubs"])
    if "latency_ms" in values:
        values["latency_ms"] = tuple(values["latency_ms"])
    return Settings(**values)
