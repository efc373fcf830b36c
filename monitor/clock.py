"""Injected clocks: the wall clock for the daemon, a simulated one for drills and tests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


def as_utc(value: datetime) -> datetime:
    """Return an aware UTC datetime (naive values are taken as UTC, as databases hand them back)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Clock(Protocol):
    """What every time-aware component asks for the current time and for waiting."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """Wait for real."""
        await asyncio.sleep(max(0.0, seconds))


class SimulatedClock:
    """A clock moved explicitly: by a replayed stream's timestamps or by a test."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = as_utc(start) if start else datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        """Return the simulated time."""
        return self._now

    def set(self, when: datetime) -> None:
        """Move to `when`; the simulated clock never goes backwards."""
        when = as_utc(when)
        if when > self._now:
            self._now = when

    def advance(self, seconds: float) -> None:
        """Move forward by `seconds`."""
        self._now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        """Advance instead of waiting, yielding once to the event loop."""
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)
