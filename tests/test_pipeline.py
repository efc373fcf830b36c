"""The pipeline's handling of what is stored but is not the public's voice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from monitor.app import build_runtime
from monitor.clock import SimulatedClock
from monitor.mention import Author, Mention
from monitor.settings import BrandSettings, Settings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _mention(n: int, text: str, brand: str | None = None, **extra: object) -> Mention:
    return Mention(source="x", id=str(n), created_at=T0 + timedelta(seconds=n), text=text, brand=brand,
                   author=Author(id=f"a{n}", handle=f"user{n}"), extra=dict(extra))


async def test_brand_replies_are_stored_but_not_counted(store_url: str) -> None:
    settings = Settings(brands=[BrandSettings(name="Acme", handles=["acme"])])
    runtime = build_runtime(settings, SimulatedClock(T0), store_url=store_url, alert_urls=[])
    runtime.pipeline.event_time = False  # keep the buckets open so this test reads them itself
    await runtime.pipeline.process([
        _mention(1, "@acme the app is down, nothing loads"),
        _mention(2, "@user1 sorry the app is down for you, we are on it", brand="Acme", brand_reply=True),
        _mention(3, "@acme app is down for everyone, we're working on a fix", brand_post=True),
        _mention(4, "@acme still down here too, error 503"),
    ])
    assert runtime.store.count_mentions() == 4
    counts: Counter[str] = Counter()
    for _brand, signal, _start, count in runtime.pipeline.detection.counter.close_until(T0 + timedelta(minutes=5)):
        counts[signal] += count
    assert counts["volume"] == 2, "only the two public posts count"
    assert counts["outage"] == 2
    assert runtime.pipeline.stats.by_label["brand_posts"] == 2 and runtime.pipeline.stats.by_label["outage"] == 2
    assert runtime.store.label_counts() == {"outage": 2, "brand_posts": 2}
    runtime.store.close()
