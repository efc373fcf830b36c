"""Save high-water marks in the background, so a stream keeps reading while earlier mentions are stored."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from monitor.sources.state import SourceContext

log = logging.getLogger(__name__)


class Checkpointer:
    """Keeps the newest mark of each key and saves it through SourceContext.checkpoint, one save at a time.

    A mark noted after its events were emitted is saved only once they are stored (the context waits),
    so a crash at any point re-reads from an older mark and never skips.
    """

    def __init__(self, context: SourceContext, source: str) -> None:
        self.context, self.source = context, source
        self._pending: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None
        self.saved: dict[str, str] = {}

    def note(self, key: str, value: str) -> None:
        """Ask for `value` to become the saved mark of `key`; returns at once."""
        self._pending[key] = value
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain(), name=f"checkpoint-{self.source}")

    async def _drain(self) -> None:
        while self._pending:
            key, value = next(iter(self._pending.items()))
            del self._pending[key]
            try:
                await self.context.checkpoint(self.source, key, value)
                self.saved[key] = value
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a failed save is retried with the next mark; reading goes on
                log.warning("source %s: could not save mark %s: %s", self.source, key, exc)

    async def flush(self) -> None:
        """Wait until every noted mark is saved."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def close(self) -> None:
        """Stop saving (used on shutdown: a mark not yet saved is simply re-read next time)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
