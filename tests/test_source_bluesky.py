"""Bluesky source against a local Jetstream and searchPosts: drops, restarts, malformed frames, backfill pages."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlmodel import Session, select

from monitor.app import build_runtime
from monitor.clock import SimulatedClock
from monitor.mention import Mention, Rejected
from monitor.models import MentionRow
from monitor.settings import BrandSettings, Settings
from monitor.sources import SourceError, build_source, source_types
from monitor.sources.bluesky import CURSOR_KEY, BlueskyConfig, BlueskySource
from monitor.sources.state import CursorStore, MemoryCursors, SourceContext
from tests.fake_jetstream import (
    DID,
    T0_US,
    FakeJetstream,
    Step,
    delete,
    identity,
    post,
    post_view,
    profile_update,
    repost,
    uri,
    wait_for,
)

BRANDS = [BrandSettings(name="Acme", handles=["acme"], keywords=["acme"], exclude=["acme anvil"]),
          BrandSettings(name="Volta", keywords=["volta energia"], languages=["it"])]
SETTINGS = Settings(brands=BRANDS)
SEC = 1_000_000


def t(n: int) -> int:
    """The time of frame n: one second apart."""
    return T0_US + n * SEC


def stream() -> list[tuple[int, str]]:
    """Sixteen frames of every kind: matches, non-matches, bad frames, a repost, a quote, a reply."""
    raw = [
        post(t(1), "p1", "@acme is the app down for everyone?"),
        post(t(2), "p2", "lovely weather in the park today"),
        identity(t(3), "sam.bsky.social"),
        post(t(4), "p4", "acme pay is not working for me"),
        profile_update(t(5), "Fan of Acme since 2019"),
        delete(t(6), "p1"),
        f'{{"did":"did:plc:x","time_us":{t(7)},"kind":"commit","commit":{{"operation":"create","collection":'
        '"app.bsky.feed.post","rkey":"p7","record":{"text":"acme down',
        post(t(8), "p8", "acme checkout broken again"),
        f'{{"did":"did:plc:y","time_us":{t(9)},"kind":"commit","commit":{{"operation":"create","collection":'
        '"app.bsky.feed.post","rkey":"p9","record":"acme"}}',
        post(t(10), "p10", "acme is down again", quote=uri("p1")),
        post(t(11), "p11", "@acme still down here", reply_to=uri("p1")),
        repost(t(12), "r12", uri("p1"), did="did:plc:reposter"),
        post(t(13), "p13", "volta energia non funziona da stamattina", langs=["it"]),
        post(t(14), "p14", "volta energia is down", langs=["en"]),
        post(t(15), "p15", "my acme anvil fell on the road"),
        post(t(16), "p16", "acme login fails with error 500"),
    ]
    return [(t(n), frame) for n, frame in enumerate(raw, start=1)]


EXPECTED = {uri(k) for k in ("p1", "p4", "p8", "p10", "p11", "p13", "p16")} | {
    uri("r12", "did:plc:reposter", "app.bsky.feed.repost")}


def source(url: str, clock: SimulatedClock, context: SourceContext, **options: Any) -> BlueskySource:
    """A Bluesky source on the local server, no backfill unless asked."""
    options = {"api_base": url, "backfill_hours": 0, "rewind_seconds": 3, "checkpoint_every": 2, **options}
    config = BlueskyConfig(url=f"{url}/subscribe", **options)
    return BlueskySource("bsky", config, SETTINGS, clock, context=context)


def stored_ids(store: Any) -> list[str]:
    """Every stored mention id, duplicates included if there were any."""
    with Session(store.engine) as session:
        return list(session.exec(select(MentionRow.external_id)))


async def start(server_url: str, fake: FakeJetstream, runtime: Any, clock: SimulatedClock
                ) -> tuple[BlueskySource, asyncio.Task[None], asyncio.Task[None]]:
    """Start a pipeline consumer and a source feeding it; the cursor is kept in the runtime's store."""
    context = SourceContext(CursorStore(runtime.store, clock), runtime.pipeline.settled)
    src = source(server_url, clock, context)
    consumer = asyncio.create_task(runtime.pipeline.consume())
    task = asyncio.create_task(src.run(runtime.pipeline.emit))
    return src, task, consumer


async def stop(task: asyncio.Task[None], consumer: asyncio.Task[None] | None, runtime: Any) -> None:
    """Cancel the source; drain and close the pipeline."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if consumer is not None:
        await runtime.pipeline.close()
        await consumer
    runtime.store.close()


async def test_drop_mid_stream_loses_nothing_and_stores_nothing_twice(aiohttp_server: Any, tmp_path: Any) -> None:
    fake = FakeJetstream(stream(), plan=[Step(8, "drop")])
    server = await aiohttp_server(fake.app())
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    started = clock.now()
    runtime = build_runtime(SETTINGS, clock, store_url=f"sqlite:///{tmp_path / 'b.db'}", alert_urls=[])
    src, task, consumer = await start(str(server.make_url("")), fake, runtime, clock)
    await wait_for(lambda: src.reader.last_time_us == t(16))
    await runtime.pipeline.settled()
    ids = stored_ids(runtime.store)
    assert sorted(ids) == sorted(EXPECTED)
    assert len(fake.connections) == 2
    assert fake.connections[1]["cursor"] == t(8) - 3 * SEC, "resumes just before the last frame read"
    assert fake.connections[0]["collections"] == ["app.bsky.feed.post", "app.bsky.feed.repost"]
    assert runtime.pipeline.stats.duplicates >= 1, "the rewind re-read p8 and the store dropped it"
    assert 0.5 <= (clock.now() - started).total_seconds() <= 1.0, "one jittered backoff on the injected clock"
    rejects = {r["location"]: r["reason"] for r in runtime.pipeline.stats.rejects}
    assert rejects[f"jetstream:bsky:{t(7)}"].startswith("malformed JSON")
    assert rejects[f"jetstream:bsky:{t(9)}"] == "create commit without a 'record' object"
    assert len(rejects) == 2
    await stop(task, consumer, runtime)


async def test_records_are_normalised_with_quotes_replies_reposts_and_handles(aiohttp_server: Any) -> None:
    fake = FakeJetstream(stream())
    server = await aiohttp_server(fake.app())
    got: list[Mention | Rejected] = []

    async def emit(record: Mention | Rejected) -> None:
        got.append(record)

    src = source(str(server.make_url("")), SimulatedClock(), SourceContext(MemoryCursors()))
    task = asyncio.create_task(src.run(emit))
    await wait_for(lambda: src.reader.last_time_us == t(16))
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    by_id = {m.id: m for m in got if isinstance(m, Mention)}
    first = by_id[uri("p1")]
    assert (first.source, first.brand, first.lang) == ("bluesky", "Acme", "en")
    assert first.author.handle == DID, "no identity event seen yet: the DID stands in"
    assert first.url == "https://bsky.app/profile/did:plc:eygmaihciaxprqvxpfvl6flk/post/p1"
    assert first.created_at == datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert by_id[uri("p4")].author.handle == "sam.bsky.social", "handle learnt from the identity event"
    assert by_id[uri("p10")].extra == {"is_quote": True, "quote_of": uri("p1")}
    assert by_id[uri("p11")].in_reply_to == uri("p1")
    shared = by_id[uri("r12", "did:plc:reposter", "app.bsky.feed.repost")]
    assert shared.is_repost and shared.text == first.text and shared.extra["repost_of"] == uri("p1")
    assert by_id[uri("p13")].brand == "Volta"
    assert uri("p14") not in by_id, "Volta is followed in Italian only"
    assert uri("p15") not in by_id, "excluded phrase"
    assert src.reader.skipped >= 3


async def test_restart_resumes_from_the_stored_cursor(aiohttp_server: Any, tmp_path: Any) -> None:
    fake = FakeJetstream(stream(), plan=[Step(6, "drop"), Step(8, "hold")])
    server = await aiohttp_server(fake.app())
    url = str(server.make_url(""))
    db = f"sqlite:///{tmp_path / 'restart.db'}"
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    first = build_runtime(SETTINGS, clock, store_url=db, alert_urls=[])
    src, task, consumer = await start(url, fake, first, clock)
    await wait_for(lambda: src.reader.last_time_us == t(10))
    await first.pipeline.settled()
    await src.checkpointer.flush()
    saved = CursorStore(first.store).get("bsky", CURSOR_KEY)
    assert saved is not None and t(6) <= int(saved) <= t(10)
    await stop(task, consumer, first)  # the process ends; the next one starts on the same database

    second = build_runtime(SETTINGS, clock, store_url=db, alert_urls=[])
    src2, task2, consumer2 = await start(url, fake, second, clock)
    await wait_for(lambda: src2.reader.last_time_us == t(16))
    await second.pipeline.settled()
    assert fake.connections[2]["cursor"] == int(saved) - 3 * SEC
    assert fake.connections[2]["sent"] < len(stream()), "the restart did not read from the beginning"
    ids = stored_ids(second.store)
    assert sorted(ids) == sorted(EXPECTED)
    await stop(task2, consumer2, second)


async def test_searchposts_backfill_pages_and_waits_out_a_429(aiohttp_server: Any) -> None:
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    fake = FakeJetstream([], search_limited=1, reset_epoch=int(clock.now().timestamp()) + 90)
    fake.search_pages = {
        "": {"cursor": "page2", "hitsTotal": 3,
             "posts": [post_view("b1", "@acme app down", "sam.bsky.social"),
                       post_view("b2", "unrelated garden photo", "kim.bsky.social"),
                       {"uri": uri("b3"), "author": {"handle": "nodid.bsky.social"}, "record": {"text": "acme"}}]},
        "page2": {"posts": [post_view("b4", "acme pay refund never came", "lu.bsky.social", did="did:plc:lu")]},
    }
    server = await aiohttp_server(fake.app())
    src = source(str(server.make_url("")), clock, SourceContext(), backfill_hours=6)
    got: list[Mention | Rejected] = []

    async def emit(record: Mention | Rejected) -> None:
        got.append(record)

    since = clock.now() - timedelta(hours=6)
    async with aiohttp.ClientSession() as session:
        count = await src.backfill(session, emit, "acme", since)
    assert count == 2
    mentions = [m for m in got if isinstance(m, Mention)]
    assert [m.id for m in mentions] == [uri("b1"), uri("b4", "did:plc:lu")]
    assert mentions[0].author.handle == "sam.bsky.social" and mentions[0].author.name == "Sam"
    rejected = [r for r in got if isinstance(r, Rejected)]
    assert rejected[0].location == "searchPosts:bsky:acme:page 1:3" and "did" in rejected[0].reason
    assert clock.now() >= datetime(2026, 3, 2, 14, 1, 30, tzinfo=UTC), "waited until the rate limit reset"
    assert [c.get("cursor") for c in fake.search_calls] == [None, None, "page2"]
    assert fake.search_calls[0]["since"] == "2026-03-02T08:00:00.000Z" and fake.search_calls[0]["q"] == "acme"


async def test_backfill_runs_beside_the_stream_at_start_up(aiohttp_server: Any) -> None:
    fake = FakeJetstream([(t(1), post(t(1), "p1", "@acme is the app down for everyone?"))])
    fake.search_pages = {"": {"posts": [post_view("old", "acme outage yesterday", "kim.bsky.social")]}}
    server = await aiohttp_server(fake.app())
    got: list[Mention | Rejected] = []

    async def emit(record: Mention | Rejected) -> None:
        got.append(record)

    src = source(str(server.make_url("")), SimulatedClock(), SourceContext(), backfill_hours=1)
    task = asyncio.create_task(src.run(emit))
    await wait_for(lambda: src.backfilled >= 1 and src.reader.matched == 1)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert {m.id for m in got} == {uri("old"), uri("p1")}
    assert {c["q"] for c in fake.search_calls} == {"acme", "volta"}, "'volta' covers 'volta energia'"


async def test_check_reports_ok_or_unreachable(aiohttp_server: Any, unused_tcp_port: int) -> None:
    fake = FakeJetstream([(t(1), post(t(1), "p1", "hello"))])
    fake.search_pages = {"": {"posts": []}}
    server = await aiohttp_server(fake.app())
    src = source(str(server.make_url("")), SimulatedClock(), SourceContext(), backfill_hours=1)
    assert (await src.check()).startswith("ok: jetstream")
    fake.search_limited = 1
    with pytest.raises(SourceError, match="rate limited"):
        await src.check()
    gone = source(f"http://127.0.0.1:{unused_tcp_port}", SimulatedClock(), SourceContext())
    with pytest.raises(SourceError, match="unreachable"):
        await gone.check()


def test_registered_and_config_errors_are_clear() -> None:
    from monitor.settings import ConfigError, SourceSettings

    assert source_types()["bluesky"] is BlueskySource
    spec = SourceSettings.model_validate({"type": "bluesky", "rewind_seconds": "soon"})
    with pytest.raises(ConfigError, match=r"sources\[0\]\.rewind_seconds"):
        build_source(spec, 0, source_types(), SETTINGS, SimulatedClock())
    assert "secret" not in repr(BlueskyConfig(identifier="acme.test", app_password="secret"))
    with pytest.raises(ConfigError, match="app_password"):
        build_source(SourceSettings.model_validate({"type": "bluesky", "identifier": "acme.test"}), 0,
                     source_types(), SETTINGS, SimulatedClock())


async def test_checkpoint_waits_for_storage_and_bad_binary_frames_are_set_aside(aiohttp_server: Any,
                                                                               tmp_path: Any) -> None:
    frames: list[tuple[int, str | bytes]] = [(t(1), b"\xff\xfe acme"), *stream()[:4]]
    fake = FakeJetstream(frames)
    server = await aiohttp_server(fake.app())
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    runtime = build_runtime(SETTINGS, clock, store_url=f"sqlite:///{tmp_path / 'w.db'}", alert_urls=[])
    context = SourceContext(CursorStore(runtime.store, clock), runtime.pipeline.settled)
    src = source(str(server.make_url("")), clock, context)
    task = asyncio.create_task(src.run(runtime.pipeline.emit))
    await wait_for(lambda: src.reader.last_time_us == t(4))
    assert CursorStore(runtime.store).get("bsky", CURSOR_KEY) is None, "nothing stored yet: no cursor saved"
    consumer = asyncio.create_task(runtime.pipeline.consume())
    await wait_for(lambda: CursorStore(runtime.store).get("bsky", CURSOR_KEY) is not None)
    assert runtime.store.count_mentions() == 2
    assert runtime.pipeline.stats.rejects[0]["location"] == "jetstream:bsky:frame 1"
    assert runtime.pipeline.stats.rejects[0]["reason"] == "invalid UTF-8 at byte 0"
    await stop(task, consumer, runtime)


async def test_search_logs_in_with_an_app_password_and_renews_an_expired_token(aiohttp_server: Any,
                                                                              caplog: pytest.LogCaptureFixture
                                                                              ) -> None:
    fake = FakeJetstream([(t(1), post(t(1), "p1", "hello"))], password="app-pass-1234", expire_next=1)
    fake.search_pages = {"": {"posts": [post_view("b1", "@acme app down", "sam.bsky.social")]}}
    server = await aiohttp_server(fake.app())
    url = str(server.make_url(""))
    src = source(url, SimulatedClock(), SourceContext(), identifier="acme.test", app_password="app-pass-1234",
                 auth_base=url, api_base="http://127.0.0.1:9")
    got: list[Mention | Rejected] = []

    async def emit(record: Mention | Rejected) -> None:
        got.append(record)

    async with aiohttp.ClientSession() as session:
        assert await src.backfill(session, emit, "acme", datetime(2026, 3, 2, tzinfo=UTC)) == 1
    assert (fake.logins, fake.refreshes) == (1, 1), "logged in once, then refreshed the expired token"
    wrong = source(url, SimulatedClock(), SourceContext(), identifier="acme.test", app_password="nope-000",
                   auth_base=url, backfill_hours=1)
    with pytest.raises(SourceError, match="bad credentials") as info:
        await wrong.check()
    assert "nope-000" not in str(info.value) and "nope-000" not in caplog.text
