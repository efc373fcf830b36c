"""The outbox against local network APIs: threads, retries, rate limits, failures, auto-publish, crash and restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from alerts.outbox import Outbox
from monitor.clock import SimulatedClock
from monitor.models import AuditRow, DeliveryRow, IncidentRow, StatusPostRow
from monitor.settings import ConfigError, Settings, parse_settings
from monitor.store import Store
from tests.fake_bsky_pds import FakeBskyPds
from tests.fake_mastodon_api import FakeMastodonApi
from tests.fake_statuspage import FakeStatuspage
from tests.fake_x_api import FakeXApi

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
LINK = "https://status.acme.example"
SHORT = f"We're sorry: logging in fails for some of you since 14:05 UTC. We're on it. Details: {LINK} ^Anna"
LONG = ("We know some of you cannot log in to Acme since 14:05 UTC, on the app and on the website alike. "
        "We're sorry: our engineers found a fault in the sign-in service and are rolling out a fix right now. "
        "Payments and deliveries are not affected, and your data is safe. If you are already logged in, you can "
        "keep using Acme as usual. Next update by 14:45 UTC, or sooner if the fix is in place earlier. "
        f"Details: {LINK} ^Anna")
CHANNEL_CREDS: dict[str, dict[str, Any]] = {
    "x": {"user_token": "user-token-123"},
    "mastodon": {"access_token": "masto-token-123"},
    "bluesky": {"identifier": "acme.bsky.social", "app_password": "app-pass-1234"},
    "statuspage": {"page_id": "pg1", "api_key": "sp-key-123"},
}
FAKES = {"x": FakeXApi, "mastodon": FakeMastodonApi, "bluesky": FakeBskyPds, "statuspage": FakeStatuspage}


def settings_for(channels: list[dict[str, Any]], **posts: Any) -> Settings:
    return parse_settings({"brands": [{"name": "Acme", "status_page": LINK, "languages": ["en", "it"]}],
                           "status_posts": {"signature": "^Anna", "channels": channels, **posts}})


def add_post(store: Store, text: str, state: str = "approved", phase: str = "investigating",
             incident_id: int | None = None, lang: str = "en") -> StatusPostRow:
    if incident_id is None:
        incident_id = store.add(IncidentRow(brand="Acme", signal="outage", topic="login", started_at=START,
                                            opened_at=START)).id
    return store.add(StatusPostRow(incident_id=incident_id, phase=phase, state=state, lang=lang, text=text,
                                   created_at=START))


def sent(fake: Any) -> list[str]:
    """The texts a fake network received, in order."""
    if isinstance(fake, FakeXApi):
        return [t["text"] for t in fake.tweets]
    if isinstance(fake, FakeMastodonApi):
        return [s["text_sent"] for s in fake.statuses]
    if isinstance(fake, FakeBskyPds):
        return [p["text"] for p in fake.posts()]
    return [u["body"] for i in fake.incidents.values() for u in reversed(i["incident_updates"])]


@pytest.fixture
async def net(aiohttp_server: Any) -> Any:
    """Start a fake network by name; returns (fake, channel table)."""
    async def start(network: str, **options: Any) -> tuple[Any, dict[str, Any]]:
        fake = FAKES[network]()
        server = await aiohttp_server(fake.app())
        base = f"http://127.0.0.1:{server.port}"
        if isinstance(fake, FakeMastodonApi):
            fake.base = base
        return fake, {"type": network, "api_base": base, **CHANNEL_CREDS[network], **options}
    return start


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


async def until(condition: Any, seconds: float = 10.0) -> None:
    """Let the event loop run until the condition holds (or fail after `seconds` of wall time)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


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


async def killed_during_part_two(net: Any, store_url: str, network: str, answer_lost: bool
                                 ) -> tuple[Any, Store, SimulatedClock, StatusPostRow, Any]:
    """Start an outbox on a long post and stop it while part 2 is in flight (processed or not), then let it land."""
    fake, channel = await net(network)
    fake.script.hold(2, after=answer_lost)
    store, clock = Store(store_url), SimulatedClock(START)
    post = add_post(store, LONG + " " + LONG.replace("14:45", "15:00"))
    settings = settings_for([channel])
    first = Outbox(store, settings, clock)
    await first.start()
    await asyncio.wait_for(fake.script.held.wait(), 10)
    await first.stop()  # the "kill": part 2's request is in flight, its id never stored
    fake.script.release.set()
    return fake, store, clock, post, settings


@pytest.mark.parametrize("network", ["x", "mastodon", "bluesky"])
@pytest.mark.parametrize("answer_lost", [False, True], ids=["before-processing", "answer-lost"])
async def test_crash_mid_thread_then_restart_publishes_exactly_once(net: Any, store_url: str, network: str,
                                                                    answer_lost: bool) -> None:
    """Stop the outbox while part 2 is in flight (never processed, or processed with its answer lost); restart."""
    fake, store, clock, post, settings = await killed_during_part_two(net, store_url, network, answer_lost)
    await asyncio.sleep(0.05)
    assert len(sent(fake)) == (2 if answer_lost else 1)
    assert store.get(StatusPostRow, post.id).state == "approved"

    second = Outbox(store, settings, clock)  # a restart on the same database
    await second.drain()
    await second.stop()
    texts = sent(fake)
    parts = second.deliveries(post.id)[0].parts
    assert texts == parts and len(parts) >= 2 and len(set(texts)) == len(texts)
    assert store.get(StatusPostRow, post.id).state == "published"
    store.close()


async def test_mastodon_restart_after_the_key_window_relies_on_the_stored_parts(net: Any, store_url: str) -> None:
    """Part 2 went out but its answer was lost; the restart comes after the server forgot its Idempotency-Key."""
    fake, store, clock, post, settings = await killed_during_part_two(net, store_url, "mastodon", answer_lost=True)
    await until(lambda: len(sent(fake)) == 2)
    fake.forget_keys()
    clock.advance(2 * 3600)
    second = Outbox(store, settings, clock)
    await second.drain()
    await second.stop()
    parts = second.deliveries(post.id)[0].parts
    assert sent(fake) == parts and len(parts) == 2  # part 2 is not posted a second time
    ids = [s["id"] for s in fake.statuses]
    assert [s["in_reply_to_id"] for s in fake.statuses] == [None, *ids[:-1]]
    assert store.get(StatusPostRow, post.id).state == "published"
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


def daemon_config(tmp_path: Any, base: str, db: str) -> Any:
    path = tmp_path / "monitor.toml"
    path.write_text(f"""
[[brands]]
name = "Acme"
status_page = "{LINK}"

[store]
url = "{db}"

[web]
enabled = false

[status_posts]
signature = "^Anna"
poll_seconds = 0.2

[[status_posts.channels]]
type = "x"
api_base = "{base}"
user_token = "${{TEST_X_USER_TOKEN}}"
""")
    return path


async def test_daemon_runs_the_outbox_and_a_drill_never_gets_one(net: Any, store_url: str, tmp_path: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.app import build_runtime, run_daemon
    from monitor.settings import load_settings

    fake, channel = await net("x")
    monkeypatch.setenv("TEST_X_USER_TOKEN", "user-token-123")
    settings = load_settings(daemon_config(tmp_path, channel["api_base"], store_url))
    drill = build_runtime(settings, SimulatedClock(START), alert_urls=[])
    assert drill.outbox is None
    drill.store.close()
    store = Store(store_url)
    post = add_post(store, SHORT)
    stop = asyncio.Event()
    daemon = asyncio.create_task(run_daemon(settings, stop))
    for _ in range(200):
        if store.get(StatusPostRow, post.id).state == "published":
            break
        await asyncio.sleep(0.05)
    stop.set()
    runtime = await asyncio.wait_for(daemon, 10)
    assert runtime.outbox is not None and sent(fake) == [SHORT]
    assert store.get(StatusPostRow, post.id).state == "published"
    store.close()


@pytest.mark.slow
async def test_killed_daemon_restarts_and_publishes_exactly_once(net: Any, tmp_path: Any) -> None:
    """SIGKILL the real daemon while part 2's answer is in flight; a new daemon finishes the thread once."""
    import os
    import signal
    import sys

    from tests.conftest import ROOT

    fake, channel = await net("x")
    fake.script.hold(2, after=True)
    db = f"sqlite:///{tmp_path / 'kill.db'}"
    config = daemon_config(tmp_path, channel["api_base"], db)
    store = Store(db)
    post = add_post(store, LONG + " " + LONG.replace("14:45", "15:00"))
    env = {**os.environ, "TEST_X_USER_TOKEN": "user-token-123"}

    async def daemon() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "run_monitor.py"), "run", "--config", str(config), cwd=str(tmp_path),
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    first = await daemon()
    await asyncio.wait_for(fake.script.held.wait(), 60)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    fake.script.release.set()
    assert len(fake.tweets) == 2 and store.get(StatusPostRow, post.id).state == "approved"

    second = await daemon()
    try:
        for _ in range(600):
            if store.get(StatusPostRow, post.id).state == "published":
                break
            await asyncio.sleep(0.05)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
    delivery = store.all(DeliveryRow)[0]
    assert [t["text"] for t in fake.tweets] == delivery.parts and len(delivery.parts) >= 3
    assert [t["in_reply_to"] for t in fake.tweets][1:] == [t["id"] for t in fake.tweets][:-1]
    assert store.get(StatusPostRow, post.id).state == "published"
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
