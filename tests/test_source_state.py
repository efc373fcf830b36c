"""Source infrastructure: persisted marks, settle-before-checkpoint, and jittered backoff."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from classifiers.rules import RulesClassifier
from monitor.clock import SimulatedClock
from monitor.mention import Author, Mention
from monitor.settings import BrandSettings, Settings
from monitor.sources.backoff import Backoff
from monitor.sources.state import CursorStore, MemoryCursors, SourceContext
from monitor.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_cursor_store_persists_across_instances(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    first = Store(url)
    CursorStore(first).set("x-main", "since_id:acme", "100")
    CursorStore(first).set("x-main", "since_id:acme", "250")
    CursorStore(first).set("x-main", "since_id:volta", "7")
    first.close()
    again = CursorStore(Store(url))
    assert again.get("x-main", "since_id:acme") == "250"
    assert again.all("x-main") == {"since_id:acme": "250", "since_id:volta": "7"}
    assert again.get("other", "since_id:acme") is None


async def test_memory_cursors_round_trip():
    cursors = MemoryCursors()
    assert await cursors.aget("s", "k") is None
    await cursors.aset("s", "k", "v")
    assert await cursors.aget("s", "k") == "v"


async def test_checkpoint_waits_until_emitted_mentions_are_stored(tmp_path):
    from monitor.app import build_runtime

    settings = Settings(brands=[BrandSettings(name="Acme", handles=["acme"])])
    clock = SimulatedClock(T0)
    runtime = build_runtime(settings, clock, store_url=f"sqlite:///{tmp_path / 'p.db'}", alert_urls=[])
    assert isinstance(runtime.classifier, RulesClassifier)
    context = SourceContext(CursorStore(runtime.store, clock), runtime.pipeline.settled)
    for n in range(5):
        await runtime.pipeline.emit(Mention(source="x", id=str(n), created_at=T0 + timedelta(seconds=n),
                                            text=f"@acme hello {n}", author=Author(id=str(n), handle=f"u{n}")))
    saving = asyncio.create_task(context.checkpoint("x", "since_id", "4"))
    await asyncio.sleep(0)
    assert not saving.done(), "a mark must not be saved before what precedes it is stored"
    assert await context.resume("x", "since_id") is None
    consumer = asyncio.create_task(runtime.pipeline.consume())
    await asyncio.wait_for(saving, timeout=30)
    assert runtime.store.count_mentions() == 5
    assert await context.resume("x", "since_id") == "4"
    await runtime.pipeline.close()
    await consumer
    runtime.store.close()


async def test_backoff_grows_with_jitter_and_resets():
    clock = SimulatedClock(T0)
    backoff = Backoff(clock, base=1.0, cap=60.0, rng=random.Random(3))
    delays = [backoff.next_delay() for _ in range(10)]
    for n, delay in enumerate(delays):
        ceiling = min(60.0, 2.0 ** n)
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 60.0
    backoff.reset()
    assert backoff.next_delay() <= 1.0
    waited = await backoff.wait()
    assert clock.now() == T0 + timedelta(seconds=waited)


async def test_wait_until_rate_limit_reset_uses_the_injected_clock():
    clock = SimulatedClock(T0)
    backoff = Backoff(clock)
    waited = await backoff.wait_until(T0 + timedelta(seconds=90), margin=1.0)
    assert waited == 91.0
    assert clock.now() == T0 + timedelta(seconds=91)
    assert await backoff.wait_until(T0) == 0.0
