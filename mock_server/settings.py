"""Server settings: one frozen dataclass, the only place defaults are set."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_SPECS_DIR", "Settings"]

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
    stream_delay_ms: int = 20
    extra: dict[str, str] = field(default_factory=dict)
