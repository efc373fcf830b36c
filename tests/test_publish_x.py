"""The X publisher through tweepy against a local X API: threads as replies, rate limits, errors, recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerts.publishers.base import PostInfo, Progress, PublishError, RateLimited
from alerts.publishers.x import XConfig, XPublisher, same_text
from monitor.clock import SimulatedClock
from tests.fake_x_api import DUPLICATE, FakeXApi

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
async def x_api(aiohttp_server: Any) -> tuple[FakeXApi, str]:
    fake = FakeXApi()
    server = await aiohttp_server(fake.app())
    return fake, f"http://127.0.0.1:{server.port}"


def publisher(base: str, clock: SimulatedClock | None = None, **creds: str) -> XPublisher:
    creds = creds or {"consumer_key": "ck-123", "consumer_secret": "cs", "access_token": "at",
                      "access_token_secret": "ats"}
    return XPublisher("x", XConfig(api_base=base, **creds), clock or SimulatedClock(START))


async def test_thread_is_chained_by_replies_with_oauth1(x_api: tuple[FakeXApi, str]) -> None:
    fake, base = x_api
    pub = publisher(base)
    try:
        ids = await pub.publish(["one [1/3]", "two [2/3]", "three [3/3]"], "k1")
        assert await pub.check() == "ok: posting as @acmehelp"
    finally:
        await pub.close()
    assert [t["text"] for t in fake.tweets] == ["one [1/3]", "two [2/3]", "three [3/3]"]
    assert [t["in_reply_to"] for t in fake.tweets] == [None, ids[0], ids[1]]


async def test_oauth1_is_signed_for_the_configured_api_base(x_api: tuple[FakeXApi, str]) -> None:
    """The server checks the HMAC-SHA1 signature over the URL it received: a wrong secret is refused."""
    fake, base = x_api
    assert base.startswith("http://127.0.0.1:")
    good = publisher(base)
    bad = publisher(base, consumer_key="ck-123", consumer_secret="not-the-secret", access_token="at",
                    access_token_secret="ats")
    try:
        assert await good.check() == "ok: posting as @acmehelp"
        with pytest.raises(PublishError) as caught:
            await bad.publish(["hello"], "k")
    finally:
        await good.close()
        await bad.close()
    assert "HTTP 401" in caught.value.reason and fake.bad_signatures == 1 and fake.tweets == []


async def test_oauth2_user_token_and_bad_token(x_api: tuple[FakeXApi, str]) -> None:
    fake, base = x_api
    good, bad = publisher(base, user_token="user-token-123"), publisher(base, user_token="wrong-token-456")
    try:
        assert len(await good.publish(["hello"], "k")) == 1
        with pytest.raises(PublishError) as caught:
            await bad.publish(["again"], "k2")
    finally:
        await good.close()
        await bad.close()
    assert not caught.value.retry and "HTTP 401" in caught.value.reason
    assert "wrong-token-456" not in caught.value.reason and len(fake.tweets) == 1


async def test_rate_limit_gives_the_reset_time_and_5xx_is_retryable(x_api: tuple[FakeXApi, str]) -> None:
    fake, base = x_api
    clock = SimulatedClock(START)
    reset = START + timedelta(minutes=15)
    fake.script.fail(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                           "status": 429}, {"x-rate-limit-reset": str(int(reset.timestamp()))})
    fake.script.fail(503, {"title": "Service Unavailable", "detail": "Service Unavailable", "status": 503})
    pub = publisher(base, clock)
    try:
        with pytest.raises(RateLimited) as limited:
            await pub.publish(["hi"], "k")
        assert limited.value.retry_at == reset
        with pytest.raises(PublishError) as busy:
            await pub.publish(["hi"], "k")
        assert busy.value.retry and "503" in busy.value.reason
        assert await pub.publish(["hi"], "k")
    finally:
        await pub.close()
    assert len(fake.tweets) == 1


async def test_uncertain_part_is_found_in_recent_tweets(x_api: tuple[FakeXApi, str]) -> None:
    fake, base = x_api
    pub = publisher(base)
    text = "Sorry & see https://status.acme.example [1/2]"
    try:
        first = await pub.publish([text], "k")
        progress = Progress(2, uncertain={0, 1})  # both may have gone out; only the first did
        ids = await pub.publish([text, "second [2/2]"], "k", progress, PostInfo())
    finally:
        await pub.close()
    assert ids[0] == first[0] and len(fake.tweets) == 2 and fake.tweets[1]["in_reply_to"] == first[0]


async def test_duplicate_refusal_is_resolved_by_lookup(x_api: tuple[FakeXApi, str]) -> None:
    fake, base = x_api
    pub = publisher(base)
    try:
        first = await pub.publish(["same text"], "k")
        again = await pub.publish(["same text"], "k")
    finally:
        await pub.close()
    assert again == first and len(fake.tweets) == 1 and "duplicate" in DUPLICATE


def test_same_text_ignores_link_rewriting_and_entities() -> None:
    assert same_text("Sorry &amp; see https://t.co/xyz", "Sorry & see https://status.acme.example/a")
    assert not same_text("Sorry", "Sorry!")


def test_config_needs_credentials() -> None:
    with pytest.raises(ValueError, match="user_token"):
        XConfig(consumer_key="only-one")
