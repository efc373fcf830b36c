"""Mastodon source against a local server: SSE stream, drops caught up by polling, refused streams, restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.clock import SimulatedClock
from monitor.mention import Mention, Rejected
from monitor.settings import BrandSettings, Settings
from monitor.sources import SourceError
from monitor.sources.mastodon import MastodonConfig, MastodonSource, status_json
from monitor.sources.mastodon_text import html_to_text, newer
from monitor.sources.state import CursorStore, SourceContext
from monitor.store import Store
from tests.fake_jetstream import wait_for
from tests.fake_mastodon import BASE_ID, TOKEN, FakeMastodon, Push, status, update
from tests.sink import Sink

SETTINGS = Settings(brands=[BrandSettings(name="Acme", handles=["acme"], keywords=["acme"])])
MENTION_HTML = ('<p><span class="h-card"><a href="https://social.example/@acme" class="u-url mention">@<span>acme'
                '</span></a></span> is the app down? <a href="https://status.acme.example/incidents/42" rel="nofollow">'
                '<span class="invisible">https://</span><span class="ellipsis">status.acme.example/inc</span>'
                '<span class="invisible">idents/42</span></a></p><p>Since 9 &amp; counting<br>#acme</p>')


def make(url: str, clock: SimulatedClock, context: SourceContext | None = None, **options: Any) -> MastodonSource:
    """A source following #acme on the local server."""
    config = MastodonConfig.model_validate({"instances": [url], "poll_seconds": 30, **options})
    return MastodonSource("masto", config, SETTINGS, clock, context=context)


@contextlib.asynccontextmanager
async def running(source: MastodonSource, sink: Sink) -> Any:
    """Run a source in the background for the block."""
    task = asyncio.create_task(source.run(sink.emit))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def uri_of(n: int, acct: str = "sam", host: str = "social.example") -> str:
    """The global URI of status n."""
    return f"https://{host}/users/{acct}/statuses/{BASE_ID + n}"


async def test_stream_drop_is_caught_up_by_polling_without_loss_or_repeat(aiohttp_server: Any) -> None:
    fake = FakeMastodon(timeline=[status(1, "<p>acme login broken</p>"), status(2, "<p>nice day</p>")])
    boosted = status(1, "<p>acme login broken</p>")
    fake.pushes = [Push(events=[update(status(3, MENTION_HTML)), ("delete", str(BASE_ID + 1)),
                                ("update", '{"id": "113000000000000004", "content": "<p>acme'),
                                update(status(5, "", acct="kim@other.example", reblog=boosted)),
                                update(status(6, "<p>unrelated</p>"))], then="drop",
                        missed=[status(7, "<p>acme still down while the stream was away</p>")])]
    server = await aiohttp_server(fake.app())
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    started = clock.now()
    source, sink = make(str(server.make_url("")), clock), Sink()
    async with running(source, sink):
        await wait_for(lambda: uri_of(7) in sink.ids() and len(fake.streams) >= 2)
    assert sorted(sink.ids()) == sorted([uri_of(1), uri_of(3), uri_of(5, "kim@other.example"), uri_of(7)])
    assert len(sink.ids()) == len(set(sink.ids())), "nothing emitted twice"
    assert fake.streams[0] == "/api/v1/streaming/hashtag?tag=acme"
    assert [p.get("min_id") for p in fake.polls[:2]] == [None, str(BASE_ID + 6)], "caught up from the last id"
    assert 0.5 <= (clock.now() - started).total_seconds() <= 1.0, "one jittered reconnect delay"
    rejected = [r for r in sink.records if isinstance(r, Rejected)]
    assert len(rejected) == 1 and rejected[0].reason.startswith("malformed JSON")
    third = next(r for r in sink.records if isinstance(r, Mention) and r.id == uri_of(3))
    assert third.text == ("@acme is the app down? https://status.acme.example/incidents/42\n\nSince 9 & counting\n"
                          "#acme")
    assert (third.author.handle, third.author.followers, third.brand) == ("sam@social.example", 12, "Acme")
    boost = next(r for r in sink.records if isinstance(r, Mention) and r.is_repost)
    assert boost.text == "acme login broken" and boost.extra["repost_of"] == uri_of(1)


async def test_refused_stream_falls_back_to_polling_and_retries_later(aiohttp_server: Any) -> None:
    # Refused throughout: a simulated clock lets the source run through many retries before the test appends
    # status 2, and a stream that was let in would hold without ever sending it.
    fake = FakeMastodon(timeline=[status(1, "<p>acme down</p>")], pushes=[Push(status=401)] * 1000)
    server = await aiohttp_server(fake.app())
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    source, sink = make(str(server.make_url("")), clock, stream_retry_minutes=5), Sink()
    async with running(source, sink):
        await wait_for(lambda: uri_of(1) in sink.ids())
        fake.timeline.append(status(2, "<p>acme pay down too</p>"))
        await wait_for(lambda: uri_of(2) in sink.ids())
        await wait_for(lambda: len(fake.streams) >= 3)
    assert sink.ids() == [uri_of(1), uri_of(2)]
    assert (source.polled, source.streamed) == (2, 0), "both found by polling while streaming was refused"
    assert str(BASE_ID + 1) in [p.get("min_id") for p in fake.polls]
    assert (clock.now() - datetime(2026, 3, 2, 14, tzinfo=UTC)).total_seconds() >= 600, "stream retried every 5 min"


async def test_restart_resumes_from_the_saved_status_id(aiohttp_server: Any, tmp_path: Any) -> None:
    fake = FakeMastodon(timeline=[status(1, "<p>acme down</p>"), status(2, "<p>acme still down</p>")],
                        pushes=[Push(status=404)] * 4)
    server = await aiohttp_server(fake.app())
    url = str(server.make_url(""))
    db = f"sqlite:///{tmp_path / 'm.db'}"
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    first_store = Store(db)
    first, sink = make(url, clock, SourceContext(CursorStore(first_store))), Sink()
    async with running(first, sink):
        await wait_for(lambda: len(sink.ids()) == 2)
        await first.checkpointer.flush()
    first_store.close()
    fake.timeline.append(status(3, "<p>acme back?</p>"))
    polls_before = len(fake.polls)
    second_store = Store(db)
    second, sink2 = make(url, clock, SourceContext(CursorStore(second_store))), Sink()
    async with running(second, sink2):
        await wait_for(lambda: len(sink2.ids()) >= 1)
    second_store.close()
    assert fake.polls[polls_before]["min_id"] == str(BASE_ID + 2)
    assert sink2.ids()[0] == uri_of(3) and uri_of(1) not in sink2.ids()


async def test_several_instances_share_one_id_per_status(aiohttp_server: Any) -> None:
    original = status(1, "<p>acme is down</p>", acct="sam@a.example", host="a.example")
    local = {**original, "id": str(BASE_ID + 500)}  # the same status federated: another local id, same uri
    one = await aiohttp_server(FakeMastodon(timeline=[original], pushes=[Push(status=404)] * 9).app())
    two = await aiohttp_server(FakeMastodon(timeline=[local], pushes=[Push(status=404)] * 9).app())
    config = MastodonConfig.model_validate({"instances": [str(one.make_url("")), {"url": str(two.make_url(""))}],
                                           "stream": False})
    source, sink = MastodonSource("masto", config, SETTINGS, SimulatedClock()), Sink()
    async with running(source, sink):
        await wait_for(lambda: len(sink.ids()) >= 2)
    assert set(sink.ids()) == {original["uri"]}, "the store keeps it once"


async def test_check_reports_token_and_reachability(aiohttp_server: Any, unused_tcp_port: int,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = await aiohttp_server(FakeMastodon().app())
    url = str(server.make_url(""))
    good = MastodonSource("m", MastodonConfig.model_validate({"instances": [{"url": url, "token": TOKEN}]}),
                          SETTINGS, SimulatedClock())
    assert (await good.check()).startswith("ok: 127.0.0.1") and "hashtag:acme" in await good.check()
    bad = MastodonSource("m", MastodonConfig.model_validate({"instances": [{"url": url, "token": "nope-999"}]}),
                         SETTINGS, SimulatedClock())
    with pytest.raises(SourceError, match="refused the access token") as info:
        await bad.check()
    assert "nope-999" not in str(info.value) and "nope-999" not in caplog.text
    assert "nope-999" not in repr(bad.config)
    gone = make(f"http://127.0.0.1:{unused_tcp_port}", SimulatedClock())
    with pytest.raises(SourceError, match="unreachable"):
        await gone.check()


def test_status_conversion_and_helpers() -> None:
    reply = status_json(status(9, "<p>acme?</p>", reply_to=3, spoiler="outage talk", language=None), "social.example")
    assert reply["text"] == "outage talk\n\nacme?" and reply["in_reply_to"] == f"social.example:{BASE_ID + 3}"
    assert "lang" not in reply and reply["author"]["handle"] == "sam@social.example"
    parent = status_json(status(3, "<p>acme down</p>"), "social.example")
    assert parent["local_id"] == reply["in_reply_to"]  # how a brand's reply is matched to the post it answers
    assert html_to_text("<p>a &lt;b&gt;</p><ul><li>one</li><li>two</li></ul>") == "a <b>\n\n- one\n- two"
    assert html_to_text(None) == ""
    assert newer("113000000000000010", "99999") and not newer("5", "10") and newer("1", None)


async def test_polling_waits_out_a_429_until_the_reset_time(aiohttp_server: Any) -> None:
    fake = FakeMastodon(timeline=[status(1, "<p>acme down</p>")], limited=1, reset_at="2026-03-02T14:05:00.000Z")
    server = await aiohttp_server(fake.app())
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    source, sink = make(str(server.make_url("")), clock, stream=False), Sink()
    async with running(source, sink):
        await wait_for(lambda: uri_of(1) in sink.ids())
    assert clock.now() >= datetime(2026, 3, 2, 14, 5, tzinfo=UTC), "waited on the injected clock"
    assert len(fake.polls) >= 2 and fake.streams == []


async def test_search_finds_posts_without_the_hashtag_and_resumes_from_its_mark(aiohttp_server: Any,
                                                                                 tmp_path: Any) -> None:
    """Only instances with a token are searched; a restart asks only for what is newer than the saved id."""
    fake = FakeMastodon(pushes=[Push(status=404)] * 20,
                        untagged=[status(1, "<p>the Acme app logs me out every minute</p>"),
                                  status(2, "<p>nothing to do with brands</p>")])
    server = await aiohttp_server(fake.app())
    url = str(server.make_url(""))
    clock = SimulatedClock(datetime(2026, 3, 2, 14, tzinfo=UTC))
    anonymous, sink = make(url, clock), Sink()
    async with running(anonymous, sink):
        await wait_for(lambda: len(fake.polls) >= 1)
    assert fake.searches == [] and sink.ids() == []  # no token: the hashtag timeline only, which lacks it

    db = f"sqlite:///{tmp_path / 'm.db'}"
    store = Store(db)
    searcher = make("", clock, SourceContext(CursorStore(store)), instances=[{"url": url, "token": TOKEN}])
    sink = Sink()
    async with running(searcher, sink):
        await wait_for(lambda: len(sink.ids()) == 1)
        await searcher.checkpointer.flush()
    store.close()
    assert sink.ids() == [uri_of(1)] and fake.searches[0]["q"] == "acme"
    assert fake.searches[0]["type"] == "statuses" and "min_id" not in fake.searches[0]
    assert "search:acme" in await searcher.check()

    fake.untagged.append(status(3, "<p>acme works again, thanks</p>"))
    before = len(fake.searches)
    store = Store(db)
    again, sink = make("", clock, SourceContext(CursorStore(store)), instances=[{"url": url, "token": TOKEN}]), Sink()
    async with running(again, sink):
        await wait_for(lambda: len(sink.ids()) == 1)
    store.close()
    assert fake.searches[before]["min_id"] == str(BASE_ID + 1) and sink.ids() == [uri_of(3)]
