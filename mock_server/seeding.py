"""The generator an API's start-up data is made with: with `--seed`, its own, so the data is the same whenever the
API is seeded (on its first request, after `POST /__mock/reset`, in whichever order the APIs are touched)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from mock_server.generation import Clock, FakeGenerator

if TYPE_CHECKING:
    from mock_server.engine import Engine

__all__ = ["SEED_AGE", "seeding_generator"]

SEED_AGE = timedelta(days=7)  # seeded items are old data: their clock starts a week before the requests' clock


@contextmanager
def seeding_generator(engine: Engine, api_name: str) -> Iterator[None]:
    """Seed `api_name` with a generator of its own (derived from the seed and the API's name), then restore."""
    if engine.seed is None:
        yield
        return
    seed = engine.seed * 1_000_003 + zlib.crc32(api_name.encode())
    main, engine.gen = engine.gen, FakeGenerator(seed, Clock(seed, age=SEED_AGE))
    try:
        yield
    finally:
        engine.gen = main
