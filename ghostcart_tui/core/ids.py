"""Identifiers. Random in production; a seeded generator gives stable ids for snapshots and replay."""

from __future__ import annotations

import random
import threading
import uuid


class IdGenerator:
    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed) if seed is not None else None
        self._lock = threading.Lock()

    def hex(self, n: int = 12) -> str:
        if self._rng is None:
            return uuid.uuid4().hex[:n]
        with self._lock:
            return "".join(self._rng.choice("0123456789abcdef") for _ in range(n))

    def new(self, prefix: str, n: int = 12) -> str:
        return f"{prefix}_{self.hex(n)}"
