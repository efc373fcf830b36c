"""Reconnect delays with exponential growth and full jitter, and waits for rate-limit resets, on an injected clock."""

from __future__ import annotations

import random
from datetime import datetime

from monitor.clock import Clock, as_utc


class Backoff:
    """Delays base*factor^n capped at `cap`, drawn uniformly in [delay/2, delay] so clients do not reconnect in step."""

    def __init__(self, clock: Clock, base: float = 1.0, cap: float = 300.0, factor: float = 2.0,
                 rng: random.Random | None = None) -> None:
        self.clock, self.base, self.cap, self.factor = clock, base, cap, factor
        self.rng = rng or random.Random()
        self.failures = 0

    def next_delay(self) -> float:
        """The delay before the next attempt; each call counts one more failure."""
        ceiling = min(self.cap, self.base * self.factor ** self.failures)
        self.failures += 1
        return self.rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        """Forget past failures after a success."""
        self.failures = 0

    async def wait(self) -> float:
        """Sleep for the next delay on the clock and return it."""
        delay = self.next_delay()
        await self.clock.sleep(delay)
        return delay

    async def wait_until(self, when: datetime, margin: float = 1.0) -> float:
        """Sleep until a rate-limit reset time (plus a margin); return the seconds waited."""
        seconds = max(0.0, (as_utc(when) - self.clock.now()).total_seconds() + margin)
        await self.clock.sleep(seconds)
        return seconds
