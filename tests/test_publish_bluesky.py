"""The Bluesky publisher against a local PDS: sessions, deterministic rkeys, replies, facets, recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerts.publishers.base import PostInfo, Progress, PublishError, RateLimited
from alerts.publishers.bluesky import BlueskyConfig, BlueskyPublisher, link_facets, rkey_for, tid
from monitor.clock import SimulatedClock
from tests.fake_bsky_pds import TID, FakeBskyPds

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
INFO = PostInfo(lang="it", created_at=START)


@pytest.fixture
async def pds(aiohttp_server: Any) -> tuple[FakeBskyPds, str]:
    fake = FakeBskyPds()
    server = await aiohttp_server(fake.app())
    return fake, f"http://127.0.0.1:{server.port}"


def publisher(base: str, password: str = "app-pass-1234") -> BlueskyPublisher:
    return BlueskyPublisher("bluesky", BlueskyConfig(api_base=base, identifier="acme.bsky.social",
                                                     app_password=password), SimulatedClock(START))


def test_tid_syntax_and_determinism() -> None:
    assert tid(0, 0) == "2222222222222"
    key = rkey_for("bm-1-abc", 0, START)
    assert TID.match(key) and key == rkey_for("bm-1-abc", 0, START) != rkey_for("bm-1-abc", 1, START)
    assert rkey_for("bm-1-abc", 0, START) != rkey_for("bm-2-abc", 0, START)


def test_link_facets_use_utf8_byte_offsets() -> None:
    text = "Disservizio è risolto: https://status.acme.example."
    facet = link_facets(text)[0]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end].decode() == "https://status.acme.example"


async def test_thread_has_root_and_parent_refs(pds: tuple[FakeBskyPds, str]) -> None:
    fake, base = pds
    pub = publisher(base)
    try:
        ids = await pub.publish(["uno https://status.acme.example [1/3]", "due [2/3]", "tre [3/3]"], "k", None, INFO)
        assert (await pub.check()).startswith("ok: posting as @acme.bsky.social")
    finally:
        await pub.close()
    posts = fake.posts()
    assert [p["text"] for p in posts] == ["uno https://status.acme.example [1/3]", "due [2/3]", "tre [3/3]"]
    assert posts[0]["langs"] == ["it"] and posts[0]["facets"][0]["features"][0]["uri"] == "https://status.acme.example"
    assert "reply" not in posts[0]
    assert posts[2]["reply"]["root"]["uri"] == ids[0] and posts[2]["reply"]["parent"]["uri"] == ids[1]
    assert posts[1]["reply"]["root"]["cid"] == fake.records[ids[0].rsplit("/", 1)[1]]["cid"]


async def test_retry_hits_the_same_rkey_and_never_duplicates(pds: tuple[FakeBskyPds, str]) -> None:
    fake, base = pds
    first, second, third = publisher(base), publisher(base), publisher(base)  # restarts: nothing in memory
    try:
        ids = await first.publish(["uno [1/2]", "due [2/2]"], "k", None, INFO)
        progress = Progress(2, ids=[ids[0], None], uncertain={1})
        again = await second.publish(["uno [1/2]", "due [2/2]"], "k", progress, INFO)
        blind = await third.publish(["uno [1/2]"], "k", None, INFO)  # even without the mark
    finally:
        for pub in (first, second, third):
            await pub.close()
    assert again == ids and blind == ids[:1] and len(fake.records) == 2


async def test_expired_session_is_renewed_once(pds: tuple[FakeBskyPds, str]) -> None:
    fake, base = pds
    pub = publisher(base)
    try:
        await pub.publish(["uno"], "k1", None, INFO)
        fake.expire_sessions()
        await pub.publish(["due"], "k2", None, INFO)
    finally:
        await pub.close()
    assert fake.sessions == 2 and len(fake.records) == 2


async def test_bad_password_rate_limit_and_too_long(pds: tuple[FakeBskyPds, str]) -> None:
    fake, base = pds
    bad = publisher(base, password="wrong-password-77")
    good = publisher(base)
    reset = START + timedelta(seconds=300)
    fake.script.fail(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                     {"ratelimit-reset": str(int(reset.timestamp()))})
    try:
        with pytest.raises(PublishError) as denied:
            await bad.publish(["x"], "k", None, INFO)
        with pytest.raises(RateLimited) as limited:
            await good.publish(["x"], "k", None, INFO)
        with pytest.raises(PublishError) as long:
            await good.publish(["👍🏽" * 301], "k2", None, INFO)
    finally:
        await bad.close()
        await good.close()
    assert "HTTP 401" in denied.value.reason and "wrong-password-77" not in denied.value.reason
    assert limited.value.retry_at == reset
    assert not long.value.retry and "300 graphemes" in long.value.reason and fake.records == {}
