"""The Reddit source against a local Reddit API: listings, marks across restarts, rate limits, OAuth, bad things."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from monitor.clock import SimulatedClock
from monitor.mention import Mention, Rejected
from monitor.models import MentionRow
from monitor.settings import BrandSettings, ConfigError, Settings, SourceSettings
from monitor.sources import SourceError, build_source
from monitor.sources.reddit import RedditConfig, RedditSource
from monitor.sources.reddit_api import build_query
from monitor.sources.state import CursorStore, SourceContext
from tests.fake_reddit import CLIENT_ID, CLIENT_SECRET, FakeReddit, comment, post
from tests.sink import Sink

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UA = "linux:brand-monitor-tests:0.1 (by /u/acme_care)"
ACME = BrandSettings(name="Acme", handles=["acmehelp"], keywords=["acme pay"], exclude=["acme anvil"])


def settings() -> Settings:
    """One brand."""
    return Settings(brands=[ACME])


async def serve(aiohttp_server: Any, fake: FakeReddit) -> str:
    """Start the fake and return its base URL."""
    server = await aiohttp_server(fake.app())
    return f"http://127.0.0.1:{server.port}"


def source(base: str, clock: SimulatedClock, context: SourceContext | None = None, **options: Any) -> RedditSource:
    """A Reddit source pointed at the fake (API and token endpoint)."""
    config = RedditConfig(user_agent=UA, api_base=base, auth_base=base, **options)
    return RedditSource("reddit-main", config, settings(), clock, context=context)


def test_query_built_from_brand_settings() -> None:
    assert build_query(ACME) == '("acme pay" OR Acme OR acmehelp) NOT "acme anvil"'
    assert build_query(BrandSettings(name="Volta")) == "Volta"


async def test_listing_pages_and_normalised_things(aiohttp_server: Any) -> None:
    fake = FakeReddit()
    fake.posts = [post(f"p{n}", f"Is Acme down? ({n})", T0 + timedelta(minutes=n), body="login fails")
                  for n in range(7)]
    fake.posts.append(post("x1", "Acme outage (crosspost)", T0, crosspost_parent="t3_p1"))
    fake.comments = [comment("c1", "acme pay refused my card too", T0 + timedelta(minutes=2))]
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), limit=3, backfill_pages=10)
    assert await src.poll_once(sink) == 9
    posts = [q for path, q, _ in fake.requests if q.get("type") == "link"]
    assert [q.get("after") for q in posts] == [None, "t3_p4", "t3_p1"]
    assert posts[0]["q"] == build_query(ACME) and posts[0]["sort"] == "new"
    assert all(ua == UA for _, _, ua in fake.requests), "Reddit requires a descriptive user agent"
    by_id = {m.id: m for m in sink.mentions}
    first = by_id["t3_p0"]
    assert first.source == "reddit" and first.text == "Is Acme down? (0)\n\nlogin fails"
    assert first.created_at == T0 and first.url == "https://www.reddit.com/r/technology/comments/p0/post/"
    assert (first.author.id, first.author.handle) == ("t2_p0", "user_p0")
    assert first.extra["reddit_kind"] == "post" and first.extra["subreddit"] == "technology"
    assert by_id["t3_x1"].is_repost
    reply = by_id["t1_c1"]
    assert reply.in_reply_to == "t3_p1" and reply.extra["reddit_kind"] == "comment"


async def test_the_brand_accounts_are_read_and_tagged_as_the_x_source_tags_them(aiohttp_server: Any) -> None:
    fake = FakeReddit()
    fake.posts = [post("p1", "Acme pay: known issue with card payments", T0, author="AcmeHelp"),
                  post("p2", "acme pay down?", T0 + timedelta(minutes=1))]
    fake.comments = [comment("c1", "acme pay refused my card", T0 + timedelta(minutes=2)),
                     comment("c2", "Sorry about that! A fix is rolling out now.", T0 + timedelta(minutes=3),
                             parent="t1_c1", author="Acme_Care")]
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), accounts={"acme": ["u/Acme_Care"]})
    await src.poll_once(sink)
    assert "/user/Acme_Care/comments.json" in [path for path, _q, _ua in fake.requests]
    replies = [m for m in sink.mentions if m.id == "t1_c2"]
    assert replies and all(m.extra.get("brand_reply") is True and m.brand == "Acme" for m in replies)
    assert replies[0].in_reply_to == "t1_c1" and "brand_post" not in replies[0].extra
    by_id = {m.id: m for m in sink.mentions}
    assert by_id["t3_p1"].extra.get("brand_post") is True  # the brand's handle posting: its own post
    assert not {"brand_reply", "brand_post"} & (set(by_id["t3_p2"].extra) | set(by_id["t1_c1"].extra))
    with pytest.raises(ConfigError, match="accounts"):
        source("http://127.0.0.1:9", SimulatedClock(T0), accounts={"Volta": ["volta_it"]})


async def _runtime(db: str, clock: SimulatedClock) -> Any:
    from monitor.app import build_runtime

    runtime = build_runtime(settings(), clock, store_url=db, alert_urls=[])
    consumer = asyncio.create_task(runtime.pipeline.consume())
    return runtime, consumer, SourceContext(CursorStore(runtime.store, clock), runtime.pipeline.settled)


async def _stop(runtime: Any, consumer: asyncio.Task[None]) -> None:
    await runtime.pipeline.close()
    await consumer
    runtime.store.close()


async def test_mark_resumes_across_a_restart_without_loss_or_duplicates(aiohttp_server: Any, tmp_path: Any
                                                                        ) -> None:
    fake = FakeReddit()
    fake.posts = [post(f"a{n}", f"Acme app down {n}", T0 + timedelta(minutes=n)) for n in range(5)]
    base = await serve(aiohttp_server, fake)
    db = f"sqlite:///{tmp_path / 'r.db'}"
    clock = SimulatedClock(T0)
    opts = {"comments": False, "limit": 2, "backfill_pages": 10, "overlap_seconds": 90.0}

    runtime, consumer, context = await _runtime(db, clock)
    await source(base, clock, context, **opts).poll_once(runtime.pipeline.emit)
    await runtime.pipeline.settled()
    assert runtime.store.count_mentions() == 5
    assert float(await context.resume("reddit-main", "mark:posts:acme") or 0) == (T0 + timedelta(minutes=4)
                                                                                 ).timestamp()
    await _stop(runtime, consumer)

    fake.posts += [post(f"b{n}", f"Acme still down {n}", T0 + timedelta(minutes=10 + n)) for n in range(4)]
    fake.requests.clear()
    runtime, consumer, context = await _runtime(db, clock)
    sink: list[Mention | Rejected] = []

    async def both(record: Mention | Rejected) -> None:
        sink.append(record)
        await runtime.pipeline.emit(record)

    await source(base, clock, context, **opts).poll_once(both)
    await runtime.pipeline.settled()
    ids = sorted(r.external_id for r in runtime.store.all(MentionRow))
    assert ids == sorted(t["data"]["name"] for t in fake.posts), "nothing lost, nothing stored twice"
    reread = {r.id for r in sink if isinstance(r, Mention)} - {f"t3_b{n}" for n in range(4)}
    assert reread == {"t3_a4", "t3_a3"}, "only the overlap behind the mark is read again"
    assert runtime.pipeline.stats.duplicates == 2
    assert len(fake.requests) == 4, "the walk stops once it passes the mark (less the overlap)"
    await _stop(runtime, consumer)


async def test_subreddit_comment_stream_is_filtered_by_brand_terms(aiohttp_server: Any) -> None:
    fake = FakeReddit()
    fake.comments = [comment("c1", "Acme pay is down for me", T0, sub="fintech"),
                     comment("c2", "anyone watching the match?", T0, sub="fintech"),
                     comment("c3", "my acme anvil broke", T0, sub="fintech"),
                     comment("c4", "@acmehelp any news?", T0, sub="other")]
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), posts=False,
                 subreddits=["r/fintech", "other"])
    await src.poll_once(sink)
    assert sorted(m.id for m in sink.mentions) == ["t1_c1", "t1_c4"], "unrelated and excluded comments are dropped"
    assert fake.requests[0][0] == "/r/fintech+other/comments.json"


async def test_429_waits_for_the_reset_seconds_on_the_injected_clock(aiohttp_server: Any) -> None:
    fake = FakeReddit()
    fake.posts = [post("p1", "Acme down?", T0)]
    fake.rate_limited, fake.reset_seconds = 1, 420
    clock = SimulatedClock(T0)
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), clock, comments=False)
    await src.poll_once(sink)
    assert clock.now() == T0 + timedelta(seconds=421), "waited the reset (plus a second), on the simulated clock"
    assert [m.id for m in sink.mentions] == ["t3_p1"] and len(fake.requests) == 2


async def test_server_errors_are_retried_with_jitter_and_unknown_subreddits_stop(aiohttp_server: Any) -> None:
    fake = FakeReddit(known_subs={"fintech"})
    fake.posts = [post("p1", "Acme down?", T0, sub="fintech")]
    fake.fail = 2
    base = await serve(aiohttp_server, fake)
    clock = SimulatedClock(T0)
    sink = Sink()
    await source(base, clock, comments=False, subreddits=["fintech"]).poll_once(sink)
    assert [m.id for m in sink.mentions] == ["t3_p1"] and len(fake.requests) == 3
    assert 1 + 2 <= (clock.now() - T0).total_seconds() <= 2 + 4, "two jittered waits on the clock"
    wrong = source(base, clock, comments=False, subreddits=["fintehc"])
    await wrong.poll_once(sink)
    assert wrong.feeds[0].stopped and wrong.feeds[0].stopped.startswith("not found")
    assert len(fake.requests) == 4, "a redirect to the subreddit search is not retried"


async def test_malformed_things_are_set_aside_and_the_rest_gets_through(aiohttp_server: Any) -> None:
    fake = FakeReddit()
    undated = post("p2", "Acme outage", T0)
    del undated["data"]["created_utc"]
    fake.posts = [post("p1", "Acme down?", T0), undated, {"kind": "t5", "data": {"name": "t5_x", "created_utc": 1}},
                  post("p3", "Acme back", T0 - timedelta(minutes=1))]
    fake.posts[3]["data"]["title"] = 42
    fake.posts.append(post("p4", "Acme fixed it", T0 - timedelta(minutes=2)))
    sink = Sink()
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), comments=False)
    await src.poll_once(sink)
    assert sorted(m.id for m in sink.mentions) == ["t3_p1", "t3_p4"]
    reasons = {r.location.rsplit(":", 1)[1]: r.reason for r in sink.records if isinstance(r, Rejected)}
    assert "created_utc" in reasons["t3_p2"] and "t3" in reasons["t5_x"] and "title" in reasons["t3_p3"]


async def test_oauth_token_is_used_and_renewed_once_when_it_expires(aiohttp_server: Any) -> None:
    fake = FakeReddit(oauth=True)
    fake.posts = [post("p1", "Acme down?", T0)]
    base = await serve(aiohttp_server, fake)
    sink = Sink()
    src = source(base, SimulatedClock(T0), comments=False, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    async with aiohttp.ClientSession() as session:
        client = src.make_client(session)
        await src.poll_once(sink, client)
        fake.expire_tokens = True
        fake.posts.append(post("p2", "Acme still down", T0 + timedelta(minutes=1)))
        await src.poll_once(sink, client)
    assert fake.tokens_issued == 2 and {m.id for m in sink.mentions} == {"t3_p1", "t3_p2"}


async def test_bad_credentials_stop_the_source_with_the_reason(aiohttp_server: Any) -> None:
    fake = FakeReddit(oauth=True)
    src = source(await serve(aiohttp_server, fake), SimulatedClock(T0), client_id=CLIENT_ID,
                 client_secret="wrong-secret")
    with pytest.raises(SourceError, match="every listing stopped: bad credentials") as caught:
        await asyncio.wait_for(src.run(Sink()), timeout=10)
    assert "wrong-secret" not in str(caught.value)


@pytest.mark.parametrize(("options", "message"), [
    ({"user_agent": "x"}, "sources[0].user_agent"),
    ({"client_id": "a"}, "give both client_id and client_secret"),
    ({"subreddits": ["not a sub!"]}, "not a subreddit name"),
    ({"api_base": "reddit.com"}, "sources[0].api_base"),
    ({"brands": ["Nope"]}, "unknown brand 'Nope'"),
])
def test_bad_options_are_config_errors(options: dict[str, Any], message: str) -> None:
    spec = SourceSettings.model_validate({"type": "reddit", "user_agent": UA, **options})
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_source(spec, 0, {"reddit": RedditSource}, settings(), SimulatedClock(T0))
