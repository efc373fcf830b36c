"""Replay a recorded or generated stream of mentions, as fast as possible or at a speed factor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from monitor.clock import Clock, SystemClock
from monitor.mention import Mention, MentionError, Rejected, parse_mention, read_jsonl
from monitor.settings import Settings
from monitor.sources import Emit, SourceError
from monitor.sources.state import SourceContext


class ReplayConfig(BaseModel):
    """Options of the replay source: a JSON Lines file or a bundled scenario."""

    model_config = ConfigDict(extra="forbid")
    path: str | None = None
    scenario: str | None = None
    seed: int = 0
    days: float | None = Field(None, gt=0)
    speed: float = Field(0.0, ge=0, description="0 = as fast as possible; N = N times real time")

    @model_validator(mode="after")
    def _one_input(self) -> ReplayConfig:
        if (self.path is None) == (self.scenario is None):
            raise ValueError("give exactly one of 'path' or 'scenario'")
        return self


class ReplaySource:
    """Emit mentions in file order; with a speed factor, pace them by their `created_at`."""

    type_name: ClassVar[str] = "replay"
    Config: ClassVar[type[BaseModel]] = ReplayConfig

    def __init__(self, name: str, config: ReplayConfig, settings: Settings | None = None,
                 clock: Clock | None = None, pacer: Clock | None = None,
                 context: SourceContext | None = None) -> None:
        self.name = name
        self.config = config
        self.path = settings.resolve(config.path) if settings and config.path else (
            Path(config.path) if config.path else None)
        self.pacer = pacer or SystemClock()
        self.emitted = 0
        self.rejected = 0

    def _records(self) -> Iterator[Mention | Rejected]:
        if self.path is not None:
            if not self.path.is_file():
                raise SourceError(f"replay {self.name}: no such file {self.path}")
            yield from read_jsonl(self.path, default_source="replay")
            return
        from monitor.simulate import generate

        scenario = generate(self.config.scenario or "demo", seed=self.config.seed, days=self.config.days)
        for number, obj in enumerate(scenario.mentions(), start=1):
            try:
                yield parse_mention(obj)
            except MentionError as exc:
                yield Rejected(f"scenario:{scenario.name}:{number}", str(exc), str(obj)[:200])

    async def check(self) -> str:
        """A file must exist and be readable; a scenario must be known."""
        if self.path is not None:
            if not self.path.is_file():
                raise SourceError(f"replay {self.name}: no such file {self.path}")
            return f"ok: {self.path} ({self.path.stat().st_size} bytes)"
        from monitor.simulate import SCENARIOS

        if self.config.scenario not in SCENARIOS:
            raise SourceError(f"replay {self.name}: unknown scenario {self.config.scenario!r}")
        return f"ok: bundled scenario {self.config.scenario!r}"

    async def run(self, emit: Emit) -> None:
        """Emit every record; bad records are emitted as Rejected so they are set aside, not lost."""
        first: datetime | None = None
        started = self.pacer.now()
        owed = 0.0
        for record in self._records():
            if isinstance(record, Mention) and self.config.speed > 0:
                first = first or record.created_at
                due = (record.created_at - first).total_seconds() / self.config.speed
                owed = due - (self.pacer.now() - started).total_seconds()
                if owed > 0.02:
                    await self.pacer.sleep(owed)
            await emit(record)
            if isinstance(record, Rejected):
                self.rejected += 1
            else:
                self.emitted += 1
