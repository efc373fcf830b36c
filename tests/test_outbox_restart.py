"""The outbox stopped mid-thread or killed with the daemon: a restart publishes every post exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from alerts.outbox import Outbox
from monitor.clock import SimulatedClock
from monitor.models import DeliveryRow, StatusPostRow
from monitor.store import Store
from tests.conftest import until
from tests.outbox_common import LINK, LONG, SHORT, START, add_post, sent, settings_for


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
