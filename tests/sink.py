"""What a source under test emits, kept in order."""

from __future__ import annotations

from monitor.mention import Mention, Rejected


class Sink:
    """Collects what a source emits (pass the sink itself, or its `emit`, as the source's emit callback)."""

    def __init__(self) -> None:
        self.records: list[Mention | Rejected] = []

    async def __call__(self, record: Mention | Rejected) -> None:
        self.records.append(record)

    async def emit(self, record: Mention | Rejected) -> None:
        """Keep one record."""
        self.records.append(record)

    @property
    def mentions(self) -> list[Mention]:
        """The mentions, in order, repeats included."""
        return [r for r in self.records if isinstance(r, Mention)]

    @property
    def rejected(self) -> list[Rejected]:
        """What was set aside, in order."""
        return [r for r in self.records if isinstance(r, Rejected)]

    def ids(self) -> list[str]:
        """Ids of the mentions, in order, repeats included."""
        return [m.id for m in self.mentions]
