"""What sources keep across restarts: high-water marks saved only once what preceded them is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from monitor.clock import Clock, SystemClock
from monitor.models import SourceCursorRow
from monitor.store import Store


class CursorStore:
    """Persisted (source, key) -> value marks in the `source_cursors` table; blocking, so use the async pair."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or SystemClock()

    def get(self, source: str, key: str) -> str | None:
        """Return the saved mark or None."""
        with self.store.engine.connect() as conn:
            return conn.execute(select(SourceCursorRow.value).where(
                SourceCursorRow.source == source, SourceCursorRow.key == key)).scalar_one_or_none()

    def set(self, source: str, key: str, value: str) -> None:
        """Save (upsert) one mark."""
        dialect = sqlite if self.store.engine.dialect.name == "sqlite" else postgresql
        stmt = dialect.insert(SourceCursorRow).values(source=source, key=key, value=value,
                                                      updated_at=self.clock.now())
        stmt = stmt.on_conflict_do_update(index_elements=["source", "key"],
                                          set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at})
        with self.store.engine.begin() as conn:
            conn.execute(stmt)

    def all(self, source: str) -> dict[str, str]:
        """Every mark of one source."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(SourceCursorRow.key, SourceCursorRow.value)
                                .where(SourceCursorRow.source == source))
            return {k: v for k, v in rows}

    async def aget(self, source: str, key: str) -> str | None:
        """Async get."""
        return await asyncio.to_thread(self.get, source, key)

    async def aset(self, source: str, key: str, value: str) -> None:
        """Async set."""
        await asyncio.to_thread(self.set, source, key, value)


class MemoryCursors:
    """An in-memory stand-in with the same async interface, for sources run without a store."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    async def aget(self, source: str, key: str) -> str | None:
        """Return the mark or None."""
        return self.values.get((source, key))

    async def aset(self, source: str, key: str, value: str) -> None:
        """Keep the mark."""
        self.values[(source, key)] = value


async def _nothing_pending() -> None:
    return None


@dataclass
class SourceContext:
    """Handed to every source: saved marks, and a way to wait until what it emitted is stored."""

    cursors: CursorStore | MemoryCursors = field(default_factory=MemoryCursors)
    settled: Callable[[], Awaitable[None]] = _nothing_pending

    async def resume(self, source: str, key: str) -> str | None:
        """The mark saved by the last run, or None on a first run."""
        return await self.cursors.aget(source, key)

    async def checkpoint(self, source: str, key: str, value: str) -> None:
        """Save a mark only after everything emitted before it is stored: a crash re-reads, never skips."""
        await self.settled()
        await self.cursors.aset(source, key, value)
