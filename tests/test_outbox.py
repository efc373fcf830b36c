"""The outbox against local network APIs: threads, retries, rate limits, failures, auto-publish, channels."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from alerts.outbox import Outbox
from monitor.clock import SimulatedClock
from monitor.models import AuditRow, DeliveryRow, StatusPostRow
from monitor.settings import ConfigError
from monitor.store import Store
from tests.conftest import until
from tests.fake_x_api import FakeXApi
from tests.outbox_common import LINK, LONG, SHORT, START, add_post, sent, settings_for


async def test_long_post_goes_out_as_a_numbered_thread_of_replies(net: Any, store_url: str) -> None:
    fake, channel = await net("x")
    store, clock = Store(store_url), SimulatedClock(START)
    post = add_post(store, LONG)
    outbox = Outbox(store, settings_for([channel]), clock)
    try:
        assert await outbox.run_once() == 1
    finally:
        await outbox.stop()
    texts = sent(fake)
    assert len(texts) == 2 and texts[0].endswith("[1/2]") and texts[1].endswith("[2/2]")
    assert [t["in_reply_to"] for t in fake.tweets] == [None, fake.tweets[0]["id"]]
    assert " ".join(t.rsplit(" [", 1)[0] for t in texts) == LONG
    assert store.get(StatusPostRow, post.id).state == "published"
    view = outbox.deliveries(post.id)[0]
    assert view.state == "published" and view.external_ids == [t["id"] for t in fake.tweets]
    store.close()


async def test_rate_limit_waits_until_reset_on_the_clock(net: Any, store_url: str) -> None:
    fake, channel = await net("x")
    store, clock = Store(store_url), SimulatedClock(START)
    reset = START + timedelta(minutes=15)
    fake.script.fail(429, {"title": "Too Many Requests", "status": 429},
                     {"x-rate-limit-reset": str(int(reset.timestamp()))})
    post = add_post(store, SHORT)
    outbox = Outbox(store, settings_for([channel]), clock)
    await outbox.drain()
    await outbox.stop()
    assert clock.now() >= reset and sent(fake) == [SHORT]
    assert store.get(StatusPostRow, post.id).state == "published"
    assert outbox.deliveries(post.id)[0].attempts == 1  # a rate limit is not a failed attempt
    store.close()


async def test_server_errors_are_retried_with_backoff(net: Any, store_url: str) -> None:
    fake, channel = await net("mastodon")
    store, clock = Store(store_url), SimulatedClock(START)
    fake.script.fail(503, "<html>busy</html>", times=2)
    post = add_post(store, SHORT)
    outbox = Outbox(store, settings_for([channel], retry_seconds=30), clock)
    await outbox.drain()
    await outbox.stop()
    view = outbox.deliveries(post.id)[0]
    assert sent(fake) == [SHORT] and view.state == "published" and view.attempts == 3
    assert clock.now() >= START + timedelta(seconds=15 + 30)  # two backoff waits, jittered in [d/2, d]
    store.close()


async def test_unauthorized_fails_with_the_reason_and_is_not_retried(net: Any, store_url: str) -> None:
    fake, channel = await net("x", user_token="revoked-token-42")
    store, clock = Store(store_url), SimulatedClock(START)
    post = add_post(store, SHORT)
    outbox = Outbox(store, settings_for([channel]), clock)
    await outbox.drain()
    await outbox.stop()
    view = outbox.deliveries(post.id)[0]
    assert store.get(StatusPostRow, post.id).state == "failed" and view.state == "failed"
    assert view.attempts == 1 and "HTTP 401" in (view.error or "") and "revoked-token-42" not in (view.error or "")
    assert sent(fake) == []
    store.close()


async def test_nothing_goes_out_without_approval(net: Any, store_url: str) -> None:
    fake, channel = await net("x")
    store = Store(store_url)
    add_post(store, SHORT, state="pending_approval")
    add_post(store, SHORT + " again", state="rejected")
    outbox = Outbox(store, settings_for([channel]), SimulatedClock(START))
    await outbox.drain()
    await outbox.stop()
    assert sent(fake) == [] and store.all(DeliveryRow) == []
    store.close()


async def test_auto_publish_approves_clean_drafts_only(net: Any, store_url: str) -> None:
    fake, channel = await net("mastodon", auto_publish=True)
    store = Store(store_url)
    clean = add_post(store, SHORT, state="pending_approval")
    dirty = add_post(store, "Login is broken, unfortunately.", state="pending_approval")
    outbox = Outbox(store, settings_for([channel], forbidden=["unfortunately"]), SimulatedClock(START))
    await outbox.drain()
    await outbox.stop()
    assert sent(fake) == [SHORT]
    assert store.get(StatusPostRow, clean.id).state == "published"
    assert store.get(StatusPostRow, dirty.id).state == "pending_approval"
    audit = store.all(AuditRow, AuditRow.post_id == clean.id)
    assert [(a.actor, a.action) for a in audit] == [("system", "auto_publish")]
    store.close()


async def test_a_new_auto_published_draft_wakes_the_outbox(net: Any, store_url: str) -> None:
    """With an hour between polls, a clean draft written by another thread still goes out at once."""
    fake, channel = await net("mastodon", auto_publish=True)
    _x, manual = await net("x", name="x-manual", brands=["Volta"])  # a channel that needs approval
    store = Store(store_url)
    outbox = Outbox(store, settings_for([channel, manual], poll_seconds=3600), SimulatedClock(START))
    quiet = Outbox(store, settings_for([manual], poll_seconds=3600), SimulatedClock(START))
    await outbox.start()
    await quiet.start()
    try:
        await until(lambda: outbox.rounds >= 1 and quiet.rounds >= 1)  # both idle, waiting for the next poll
        post = await asyncio.to_thread(add_post, store, SHORT, "pending_approval")
        await until(lambda: sent(fake) == [SHORT])
        await until(lambda: store.get(StatusPostRow, post.id).state == "published" and outbox.rounds >= 2)
        assert quiet.rounds == 1  # no auto-publish channel: not woken for nothing
    finally:
        await outbox.stop()
        await quiet.stop()
        store.close()


async def test_follow_ups_update_the_same_status_page_incident(net: Any, store_url: str) -> None:
    fake, channel = await net("statuspage")
    store, clock = Store(store_url), SimulatedClock(START)
    first = add_post(store, SHORT)
    add_post(store, "Update: still on it, sorry. " + LINK + " ^Anna", phase="update", incident_id=first.incident_id)
    add_post(store, "Fixed, thank you and sorry. " + LINK + " ^Anna", phase="resolved",
             incident_id=first.incident_id)
    outbox = Outbox(store, settings_for([channel]), clock)
    await outbox.drain()
    await outbox.stop()
    assert len(fake.incidents) == 1
    incident = next(iter(fake.incidents.values()))
    assert incident["status"] == "resolved" and incident["name"] == "Acme: trouble with logging in"
    assert len(incident["incident_updates"]) == 3
    store.close()


async def test_channels_follow_brand_and_language(net: Any, store_url: str) -> None:
    x_fake, x_channel = await net("x", languages=["en"])
    m_fake, m_channel = await net("mastodon", brands=["Other"])
    b_fake, b_channel = await net("bluesky", name="bsky-it", languages=["it"])
    store = Store(store_url)
    add_post(store, SHORT)
    add_post(store, f"Ci scusiamo: l'accesso non funziona. {LINK} ^Anna", lang="it")
    outbox = Outbox(store, settings_for([x_channel, m_channel, b_channel]), SimulatedClock(START))
    await outbox.drain()
    await outbox.stop()
    assert sent(x_fake) == [SHORT] and sent(m_fake) == [] and sent(b_fake)[0].startswith("Ci scusiamo")
    assert {p.state for p in store.all(StatusPostRow)} == {"published"}
    store.close()


async def test_no_channel_builds_no_publishers_and_bad_channels_are_config_errors(store_url: str) -> None:
    store = Store(store_url)
    assert Outbox(store, settings_for([]), SimulatedClock(START)).publishers == {}
    with pytest.raises(ConfigError, match=r"status_posts.channels\[0\].type: unknown channel 'myspace'"):
        Outbox(store, settings_for([{"type": "myspace"}]), SimulatedClock(START))
    with pytest.raises(ConfigError, match=r"channels\[0\].access_token: field required"):
        Outbox(store, settings_for([{"type": "mastodon", "api_base": "https://m.example"}]), SimulatedClock(START))
    with pytest.raises(ConfigError, match=r"channels\[1\].name: a second channel"):
        Outbox(store, settings_for([{"type": "x", "user_token": "t"}, {"type": "x", "user_token": "u"}]),
               SimulatedClock(START))
    with pytest.raises(ConfigError) as caught:
        Outbox(store, settings_for([{"type": "x", "user_token": 12345678}]), SimulatedClock(START))
    assert "12345678" not in str(caught.value)
    store.close()


def test_deliveries_table_is_additive(store_url: str) -> None:
    store = Store(store_url)
    with store.engine.connect() as conn:
        assert conn.execute(select(DeliveryRow)).all() == []
    store.close()


async def test_check_reports_each_channel(net: Any, store_url: str) -> None:
    _x, x_channel = await net("x")
    _m, m_channel = await net("mastodon", access_token="stale-token-000")
    _s, s_channel = await net("statuspage")
    store = Store(store_url)
    outbox = Outbox(store, settings_for([x_channel, m_channel, s_channel]), SimulatedClock(START))
    try:
        results = await outbox.check()
    finally:
        await outbox.stop()
        store.close()
    assert results["x"] == "ok: posting as @acmehelp" and results["statuspage"].startswith("ok: updating")
    assert results["mastodon"].startswith("FAIL: mastodon: HTTP 401") and "stale-token-000" not in results["mastodon"]


@pytest.mark.parametrize("network", ["x", "bluesky"])
async def test_later_posts_continue_the_incident_conversation(net: Any, store_url: str, network: str) -> None:
    fake, channel = await net(network)
    _alone, standalone = await net(network, name="standalone", reply_to_previous=False)
    store = Store(store_url)
    first = add_post(store, LONG)
    add_post(store, "Update: still on it, sorry. " + LINK + " ^Anna", phase="update", incident_id=first.incident_id)
    outbox = Outbox(store, settings_for([channel, standalone]), SimulatedClock(START))
    await outbox.drain()
    await outbox.stop()
    if isinstance(fake, FakeXApi):
        ids = [t["id"] for t in fake.tweets]
        assert [t["in_reply_to"] for t in fake.tweets] == [None, ids[0], ids[1]]
        assert [t["in_reply_to"] for t in _alone.tweets] == [None, _alone.tweets[0]["id"], None]
    else:
        posts = fake.posts()
        uris = [fake.records[k]["uri"] for k in fake.order]
        assert posts[2]["reply"]["root"]["uri"] == uris[0] and posts[2]["reply"]["parent"]["uri"] == uris[1]
        assert "reply" not in _alone.posts()[2]
    store.close()
