"""The database refuses writes for a while (PostgreSQL raising a connection failure from a trigger): every batch
is retried from where it stopped, nothing is lost or applied twice, and an incident that opens meanwhile pages once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from monitor.app import _ticker, build_runtime
from monitor.clock import SimulatedClock
from monitor.detectors.base import EpisodeEvent
from monitor.mention import Author, Mention, Rejected
from monitor.models import AlertRow, IncidentRow, StatusPostRow
from monitor.settings import BrandSettings, Settings
from tests.conftest import postgres_url, until
from tests.test_alert_restart import T0, scenario, settings_for, stalling_hook

OUTAGE = 180  # the scenario's outage starts at minute 180
MINUTE = timedelta(minutes=1)


@pytest.fixture
def pg() -> Iterator[tuple[str, Any]]:
    """A fresh PostgreSQL database and an admin connection to it that can make one table refuse inserts."""
    psycopg = pytest.importorskip("psycopg")
    for url in postgres_url():  # skips with the reason when no PostgreSQL answers
        admin = psycopg.connect(url, autocommit=True)
        admin.execute("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'storage offline' "
                      "USING ERRCODE = '08006'; END $$ LANGUAGE plpgsql")
        try:
            yield url, admin
        finally:
            admin.close()


def refuse(admin: Any, table: str, on: bool = True) -> None:
    """Make inserts into `table` fail as a lost connection does, or stop that."""
    if on:
        admin.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse()")
    else:
        admin.execute(f"DROP TRIGGER refuse ON {table}")


async def refused(caplog: pytest.LogCaptureFixture, times: int) -> None:
    """Wait until the pipeline has been refused `times` times (a safety net fails the test after 30 s)."""
    await until(lambda: sum("database unavailable" in r.getMessage() for r in caplog.records) >= times, 30)


def _mention(n: int, text: str) -> Mention:
    return Mention(source="x", id=str(n), created_at=T0 + timedelta(seconds=n), text=text,
                   author=Author(id=f"a{n}", handle=f"user{n}"))


async def test_rejects_are_set_aside_once_while_the_mentions_are_refused(
        pg: tuple[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    url, admin = pg
    runtime = build_runtime(Settings(brands=[BrandSettings(name="Acme", handles=["acme"])]), SimulatedClock(T0),
                            store_url=url, alert_urls=[])
    pipeline = runtime.pipeline
    pipeline.retry_seconds = 0.01
    refuse(admin, "mentions")
    consumer = asyncio.create_task(pipeline.consume())
    try:
        for record in (Rejected("replay.jsonl:3", "malformed JSON", "{not json"),
                       _mention(1, "@acme the app is down, nothing loads"), _mention(2, "@acme checkout fails")):
            await pipeline.emit(record)
        await refused(caplog, 3)
        assert runtime.store.count_mentions() == 0 and pipeline.stats.stored == 0
        refuse(admin, "mentions", on=False)
        await pipeline.settled()
        assert runtime.store.count_mentions() == 2 and pipeline.stats.stored == 2
        assert admin.execute("SELECT count(*) FROM rejected_inputs").fetchone() == (1,)
        assert pipeline.stats.rejected == 1 and len(pipeline.stats.rejects) == 1
    finally:
        await pipeline.close()
        await consumer
        runtime.store.close()


@pytest.mark.parametrize("table", ["incidents", "alerts", "status_posts"])
async def test_an_incident_opening_while_the_database_refuses_it_pages_once(
        pg: tuple[str, Any], table: str, caplog: pytest.LogCaptureFixture, aiohttp_server: Any,
        tmp_path: Path) -> None:
    url, admin = pg
    hook, target = await stalling_hook(aiohttp_server)
    runtime = build_runtime(settings_for(target), SimulatedClock(T0), store_url=url)
    pipeline = runtime.pipeline
    pipeline.retry_seconds = 0.01
    batches = scenario()
    consumer = asyncio.create_task(pipeline.consume())
    try:
        for batch in batches[:OUTAGE]:
            for mention in batch:
                await pipeline.emit(mention)
        await pipeline.settled()
        refuse(admin, table)  # the outage starts: its incident, its page or its first draft cannot be written
        for batch in batches[OUTAGE: OUTAGE + 15]:
            for mention in batch:
                await pipeline.emit(mention)
        await refused(caplog, 1)
        stored = runtime.store.count_mentions()
        refuse(admin, table, on=False)
        for batch in batches[OUTAGE + 15:]:
            for mention in batch:
                await pipeline.emit(mention)
        await pipeline.settled()
    finally:
        await pipeline.close()
        await consumer
    store = runtime.store
    assert stored < store.count_mentions() == sum(map(len, batches)) == pipeline.stats.stored
    calm = build_runtime(settings_for(target), SimulatedClock(T0), store_url=f"sqlite:///{tmp_path / 'calm.db'}",
                         alert_urls=[])
    for batch in batches:
        await calm.pipeline.process(batch)
    for signal in ("volume", "outage", "complaints"):  # every mention was counted once, as without the refusal
        assert pipeline.detection.recent("Acme", signal) == calm.pipeline.detection.recent("Acme", signal)
    calm.store.close()
    incidents = store.all(IncidentRow)
    assert len(incidents) == 1 and incidents[0].resolved_at is not None
    started = T0 + timedelta(minutes=OUTAGE)
    assert started <= incidents[0].opened_at.replace(tzinfo=started.tzinfo) <= started + timedelta(minutes=5)
    alerts = store.all(AlertRow, order=AlertRow.id)
    kinds = [a.kind for a in alerts]
    assert kinds[0] == "open" and kinds.count("open") == 1 and kinds[-1] == "resolve"
    assert all(a.delivered for a in alerts)
    titles = [page["title"] for page in hook.received]
    assert len(titles) == len(set(titles)) and sorted(titles) == sorted(a.title for a in alerts)
    drafts = [p.phase for p in store.all(StatusPostRow, order=StatusPostRow.id)]
    assert drafts[0] == "investigating" and drafts.count("investigating") == 1
    store.close()


async def test_the_ticker_outlives_a_database_outage(pg: tuple[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    """The database refuses the resolution of a calm incident: ticks fail, go on, and resolve it once it is back."""
    url, admin = pg
    clock = SimulatedClock(T0)
    runtime = build_runtime(settings_for("json://127.0.0.1:9/nobody"), clock, store_url=url, alert_urls=[])
    incidents = runtime.incidents
    await incidents.on_event("Acme", "outage", EpisodeEvent("open", T0 + MINUTE, T0, 5, 20.0, 1.0, 20.0), [])
    await incidents.on_event("Acme", "outage", EpisodeEvent("resolve", T0 + 10 * MINUTE, T0, 5, 1.0, 1.0, 20.0), [])
    clock.set(T0 + 30 * MINUTE)  # past the monitoring hold: the next tick resolves it
    admin.execute("CREATE TRIGGER refuse BEFORE UPDATE ON incidents FOR EACH ROW EXECUTE FUNCTION refuse()")
    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticker(runtime, stop, period=0.01))
    try:
        await ticks_refused(caplog, 2)
        assert not ticker.done() and runtime.store.all(IncidentRow)[0].resolved_at is None
        admin.execute("DROP TRIGGER refuse ON incidents")
        await until(lambda: "Acme" not in incidents.open, 30)
    finally:
        stop.set()
        await ticker
    row = runtime.store.all(IncidentRow)[0]
    assert row.state == "resolved" and row.resolved_at is not None
    assert [a.kind for a in runtime.store.all(AlertRow, order=AlertRow.id)] == ["open", "resolve"]
    runtime.store.close()


async def ticks_refused(caplog: pytest.LogCaptureFixture, times: int) -> None:
    """Wait until `times` ticks were refused by the database."""
    await until(lambda: sum("database unavailable at the tick" in r.getMessage() for r in caplog.records) >= times,
                30)


async def test_a_refused_resolution_is_written_when_offered_again(pg: tuple[str, Any]) -> None:
    url, admin = pg
    runtime = build_runtime(settings_for("json://127.0.0.1:9/nobody"), SimulatedClock(T0), store_url=url,
                            alert_urls=[])
    incidents = runtime.incidents
    calm = EpisodeEvent("resolve", T0 + 10 * MINUTE, T0, 5, 1.0, 1.0, 20.0)
    await incidents.on_event("Acme", "outage", EpisodeEvent("open", T0 + MINUTE, T0, 5, 20.0, 1.0, 20.0), [])
    admin.execute("CREATE TRIGGER refuse BEFORE UPDATE ON incidents FOR EACH ROW EXECUTE FUNCTION refuse()")
    with pytest.raises(OperationalError):
        await incidents.on_event("Acme", "outage", calm, [])
    admin.execute("DROP TRIGGER refuse ON incidents")
    await incidents.on_event("Acme", "outage", calm, [])  # the pipeline offers it again
    row = runtime.store.all(IncidentRow)[0]
    assert row.state == "monitoring" and row.calm_since is not None
    assert [e["state"] for e in row.timeline] == ["investigating", "monitoring"]
    drafts = [p.phase for p in runtime.store.all(StatusPostRow, order=StatusPostRow.id)]
    assert drafts == ["investigating", "monitoring"]
    runtime.store.close()
