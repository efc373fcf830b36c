"""The cockpit's costly parts (care queue, advocates) reused for a few seconds, however many screens refresh."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any


class SlowParts:
    """Reuse what `compute` returned for `seconds` of wall time, while the monitor's clock moved less than that (a
    fast replay's clock refreshes them as its time moves); one computation at a time."""

    def __init__(self, seconds: float, wall: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.wall = wall
        self.lock = threading.Lock()
        self.made = 0.0
        self.now: datetime | None = None
        self.value: dict[str, Any] | None = None

    def get(self, now: datetime, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The parts as of `now`: the kept ones when still fresh, else computed anew."""
        with self.lock:
            if (self.value is not None and self.now is not None and self.wall() - self.made < self.seconds
                    and abs((now - self.now).total_seconds()) < self.seconds):
                return self.value
            self.value = compute()
            self.made, self.now = self.wall(), now
            return self.value
