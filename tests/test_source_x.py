"""The X source against a local X API v2: pages, since_id across restarts, rate limits, bad items, bad tokens."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.clock import SimulatedClock
from monitor.settings import BrandSettings, ConfigError, Settings, SourceSettings
from monitor.sources import SourceError, build_source
from monitor.sources.state import CursorStore, SourceContext
from monitor.sources.x import XConfig, XSource
from monitor.sources.x_api import build_query
from tests.fake_x import TOKEN, FakeX, tweet, user
from tests.sink import Sink

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACME = BrandSettings(name="Acme", handles=["acme"], keywords=["acme pay"], exclude=["acme anvil"],
                     languages=["en", "it"])


def settings() -> Settings:
    """One brand with one account."""
    return Settings(brands=[ACME])


def make_fake() -> FakeX:
    """Users: the brand account (100) and two customers."""
    fake = FakeX()
    fake.users = {"100": user("100", "acme", 50_000), "1": user("1", "sam_k", 310), "2": user("2", "lu", 12)}
    return fake


async def serve(aiohttp_server: Any, fake: FakeX) -> str:
    """Start the fake and return its base URL."""
    server = await aiohttp_server(fake.app())
    return f"http://127.0.0.1:{server.port}"


def source(base: str, clock: SimulatedClock, context: SourceContext | None = None, token: str = TOKEN,
           **options: Any) -> XSource:
    """An X source pointed at the fake."""
    config = XConfig(bearer_token=token, api_base=base, **options)
    return XSource("x-main", config, settings(), clock, context=context)


def test_query_built_from_brand_settings() -> None:
    query = build_query(BrandSettings(name="Acme", handles=["acme", "acmehelp"], keywords=["acme pay", "acme"],
                                      exclude=["acme anvil", "wile"], languages=["en", "it"]))
    assert query == ('(@acme OR @acmehelp OR "acme pay" OR acme OR Acme) -"acme anvil" -wile '
                     '-from:acme -from:acmehelp (lang:en OR lang:it)')
    assert "is:retweet" not in query
    assert build_query(BrandSettings(name="Volta")) == "Volta"


async def test_search_pages_through_next_token_and_normalises(aiohttp_server: Any) -> None:
    fake = make_fake()
    fake.search = [tweet(1000 + n, f"@acme down again {n}", "1", T0 + timedelta(seconds=n)) for n in range(23)]
    fake.search.append(tweet(2000, "RT @sam_k: @acme down again", "2", T0,
                             referenced_tweets=[{"type": "retweeted", "id": "1001"}]))
    fake.search.append(tweet(2001, "same here @acme", "2", T0, referenced_tweets=[{"type": "quoted", "id": "1002"}],
                             lang="und"))
    fake.page_size = 10
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), search=True, mentions=False,
                 replies=False, backfill_pages=10)
    assert await src.poll_once(sink) == 25
    assert len({m.id for m in sink.mentions}) == 25 and not sink.rejected
    searches = [q for path, q in fake.requests if path == "/2/tweets/search/recent"]
    assert [q.get("next_token") for q in searches] == [None, "page-10", "page-20"]
    assert searches[0]["query"] == build_query(ACME)
    assert searches[0]["expansions"] == "author_id" and "public_metrics" in searches[0]["user.fields"]
    first = next(m for m in sink.mentions if m.id == "1000")
    assert first.source == "x" and first.brand == "Acme" and first.created_at == T0
    assert (first.author.id, first.author.handle, first.author.name, first.author.followers) == (
        "1", "sam_k", "Sam_K", 310)
    assert first.url == "https://x.com/sam_k/status/1000" and first.lang == "en"
    repost = next(m for m in sink.mentions if m.id == "2000")
    quote = next(m for m in sink.mentions if m.id == "2001")
    assert repost.is_repost and not quote.is_repost
    assert quote.extra["is_quote"] is True and quote.extra["quote_of"] == "1002" and quote.lang is None


async def test_mentions_timeline_and_brand_replies(aiohttp_server: Any) -> None:
    fake = make_fake()
    fake.mentions["100"] = [tweet(10, "@acme my card was declined", "1", T0)]
    fake.timelines["100"] = [
        tweet(11, "@sam_k sorry about that, can you DM us?", "100", T0 + timedelta(minutes=3),
              referenced_tweets=[{"type": "replied_to", "id": "10"}]),
        tweet(12, "New: pay with your watch", "100", T0 + timedelta(minutes=5)),
    ]
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), search=False)
    await src.poll_once(sink)
    by_id = {m.id: m for m in sink.mentions}
    assert set(by_id) == {"10", "11"}, "a brand's standalone post is not a mention"
    reply = by_id["11"]
    assert reply.extra["brand_reply"] is True and reply.in_reply_to == "10" and reply.brand == "Acme"
    assert "brand_reply" not in by_id["10"].extra
    lookups = [q for path, q in fake.requests if path == "/2/users/by"]
    assert lookups == [{"usernames": "acme"}]
    timeline = next(q for path, q in fake.requests if path == "/2/users/100/tweets")
    assert timeline["exclude"] == "retweets"


async def _runtime(db: str, clock: SimulatedClock) -> Any:
    from monitor.app import build_runtime

    runtime = build_runtime(settings(), clock, store_url=db, alert_urls=[])
    consumer = asyncio.create_task(runtime.pipeline.consume())
    context = SourceContext(CursorStore(runtime.store, clock), runtime.pipeline.settled)
    return runtime, consumer, context


async def _stop(runtime: Any, consumer: asyncio.Task[None]) -> None:
    await runtime.pipeline.close()
    await consumer
    runtime.store.close()


async def test_since_id_resumes_across_restarts_without_loss_or_duplicates(aiohttp_server: Any, tmp_path: Any
                                                                           ) -> None:
    fake = make_fake()
    fake.page_size = 5
    fake.search = [tweet(100 + n, f"@acme outage {n}", "1", T0 + timedelta(seconds=n)) for n in range(12)]
    base = await serve(aiohttp_server, fake)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    clock = SimulatedClock(T0)
    opts = {"mentions": False, "replies": False, "backfill_pages": 10, "max_retries": 1}

    runtime, consumer, context = await _runtime(db, clock)
    await source(base, clock, context, **opts).poll_once(runtime.pipeline.emit)
    await runtime.pipeline.settled()
    assert runtime.store.count_mentions() == 12
    assert await context.resume("x-main", "since_id:search:acme") == "111"
    await _stop(runtime, consumer)

    # new posts arrive; the process restarts and asks only for what is newer than the saved since_id
    fake.search += [tweet(200 + n, f"@acme still down {n}", "2", T0 + timedelta(minutes=5, seconds=n))
                    for n in range(3)]
    fake.requests.clear()
    runtime, consumer, context = await _runtime(db, clock)
    await source(base, clock, context, **opts).poll_once(runtime.pipeline.emit)
    await runtime.pipeline.settled()
    assert fake.requests[0][1]["since_id"] == "111"
    assert runtime.store.count_mentions() == 15 and runtime.pipeline.stats.duplicates == 0

    # a crash in the middle of a page walk: page 2 keeps failing, so the mark must not move
    fake.search += [tweet(300 + n, f"@acme login broken {n}", "1", T0 + timedelta(minutes=9, seconds=n))
                    for n in range(7)]
    fake.fail_tokens = {"page-5"}
    await source(base, clock, context, **opts).poll_once(runtime.pipeline.emit)
    await runtime.pipeline.settled()
    assert runtime.store.count_mentions() == 20, "the first page is stored"
    assert await context.resume("x-main", "since_id:search:acme") == "202"
    await _stop(runtime, consumer)

    fake.fail_tokens = set()
    runtime, consumer, context = await _runtime(db, clock)
    await source(base, clock, context, **opts).poll_once(runtime.pipeline.emit)
    await runtime.pipeline.settled()
    from monitor.models import MentionRow

    ids = sorted(int(r.external_id) for r in runtime.store.all(MentionRow))
    assert ids == sorted(int(t["id"]) for t in fake.search), "nothing lost, nothing stored twice"
    assert runtime.pipeline.stats.duplicates == 5, "the re-read first page is recognised, not stored again"
    assert await context.resume("x-main", "since_id:search:acme") == "306"
    await _stop(runtime, consumer)


async def test_429_waits_until_the_reset_time_on_the_injected_clock(aiohttp_server: Any) -> None:
    fake = make_fake()
    fake.search = [tweet(7, "@acme is the app down?", "1", T0)]
    reset = T0 + timedelta(minutes=12)
    fake.reset_epoch = int(reset.timestamp())
    fake.rate_limited = 1
    clock = SimulatedClock(T0)
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), clock, mentions=False, replies=False)
    started = asyncio.get_running_loop().time()
    await src.poll_once(sink)
    assert clock.now() == reset + timedelta(seconds=1), "waited until the reset (plus a second), no earlier"
    assert [m.id for m in sink.mentions] == ["7"]
    assert len(fake.requests) == 2, "one refused call, one retry after the reset: no hammering"
    assert asyncio.get_running_loop().time() - started < 5, "the wait is on the simulated clock"


async def test_a_spent_window_waits_for_its_reset_before_the_next_call(aiohttp_server: Any) -> None:
    fake = make_fake()
    fake.search = [tweet(n, f"@acme down {n}", "1", T0) for n in range(1, 13)]
    fake.page_size, fake.remaining = 10, 0
    reset = T0 + timedelta(minutes=7)
    fake.reset_epoch = int(reset.timestamp())
    clock = SimulatedClock(T0)
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), clock, mentions=False, replies=False, backfill_pages=5)
    await src.poll_once(sink)
    assert len(sink.mentions) == 12 and len(fake.requests) == 2
    assert clock.now() >= reset, "the second page was asked for only after the window reset"


async def test_server_errors_back_off_with_jitter_then_recover(aiohttp_server: Any) -> None:
    fake = make_fake()
    fake.search = [tweet(7, "@acme is the app down?", "1", T0)]
    fake.fail = 3
    clock = SimulatedClock(T0)
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), clock, mentions=False, replies=False)
    await src.poll_once(sink)
    waited = (clock.now() - T0).total_seconds()
    assert 1 + 2 + 4 <= waited <= 2 + 4 + 8, waited  # base 2 s, doubling, each drawn in [d/2, d]
    assert [m.id for m in sink.mentions] == ["7"] and len(fake.requests) == 4


async def test_malformed_items_are_set_aside_and_the_rest_gets_through(aiohttp_server: Any) -> None:
    fake = make_fake()
    good = tweet(1, "@acme down", "1", T0)
    no_date = tweet(2, "@acme down too", "1", T0)
    del no_date["created_at"]
    stranger = tweet(3, "@acme?", "999", T0)
    bad_text = {**tweet(4, "x", "1", T0), "text": ["not", "text"]}
    fake.search = [good, no_date, stranger, bad_text, tweet(5, "@acme back", "2", T0)]
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), mentions=False, replies=False)
    await src.poll_once(sink)
    assert sorted(m.id for m in sink.mentions) == ["1", "5"]
    reasons = {r.location.rsplit(":", 1)[1]: r.reason for r in sink.rejected}
    assert "created_at" in reasons["2"]
    assert "includes.users" in reasons["3"]
    assert "text" in reasons["4"]
    assert all(r.location.startswith("x:x-main:search:Acme") for r in sink.rejected)


async def test_bad_token_stops_each_feed_with_a_clear_log_line(aiohttp_server: Any,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    fake = make_fake()
    secret = "wrong-secret-token-value"
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), token=secret)
    with caplog.at_level(logging.DEBUG), pytest.raises(SourceError, match="every feed stopped: bad credentials"):
        await asyncio.wait_for(src.run(Sink()), timeout=10)
    assert "stopped" in caplog.text and "401" in caplog.text
    assert secret not in caplog.text, "the token is never logged"
    assert len(fake.requests) == 2, "one lookup, one search: no retry loop on bad credentials"


async def test_run_polls_until_cancelled(aiohttp_server: Any) -> None:
    fake = make_fake()
    fake.search = [tweet(1, "@acme down", "1", T0)]
    clock = SimulatedClock(T0)
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), clock, mentions=False, replies=False, poll_seconds=30)
    task = asyncio.create_task(src.run(sink))
    while len([p for p, _ in fake.requests]) < 3:
        await asyncio.sleep(0.01)
    fake.search.append(tweet(2, "@acme still down", "2", T0))
    while len(sink.mentions) < 2:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [m.id for m in sink.mentions] == ["1", "2"]
    assert fake.requests[-1][1]["since_id"] in ("1", "2")
    assert clock.now() >= T0 + timedelta(seconds=60), "polls are spaced by poll_seconds on the clock"


@pytest.mark.parametrize(("options", "message"), [
    ({"api_base": "ftp://x"}, "sources[0].api_base"),
    ({"poll_seconds": 0}, "sources[0].poll_seconds"),
    ({"brands": ["Nope"]}, "unknown brand 'Nope'"),
    ({"max_results": 500}, "sources[0].max_results"),
    ({}, "sources[0].bearer_token"),
])
def test_bad_options_are_config_errors(options: dict[str, Any], message: str) -> None:
    full = {"bearer_token": TOKEN, **options} if options else {}
    spec = SourceSettings.model_validate({"type": "x", **full})
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_source(spec, 0, {"x": XSource}, settings(), SimulatedClock(T0))


def test_token_is_redacted_in_the_config_repr() -> None:
    config = XConfig(bearer_token="s3cr3t")
    assert "s3cr3t" not in repr(config) and "s3cr3t" not in str(config.model_dump())
