"""The Mastodon publisher against a local Mastodon API: threads, idempotency keys, rate limits, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerts.publishers.base import Progress, PublishError, RateLimited
from alerts.publishers.mastodon import MastodonConfig, MastodonPublisher
from monitor.clock import SimulatedClock
from tests.fake_mastodon_api import FakeMastodonApi

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
async def masto(aiohttp_server: Any) -> tuple[FakeMastodonApi, str]:
    fake = FakeMastodonApi()
    server = await aiohttp_server(fake.app())
    fake.base = f"http://127.0.0.1:{server.port}"
    return fake, fake.base


def publisher(base: str, token: str = "masto-token-123") -> MastodonPublisher:
    return MastodonPublisher("mastodon", MastodonConfig(api_base=base, access_token=token), SimulatedClock(START))


async def test_thread_replies_and_a_resend_with_the_same_key_posts_nothing(
        masto: tuple[FakeMastodonApi, str]) -> None:
    fake, base = masto
    pub = publisher(base)
    try:
        ids = await pub.publish(["first [1/2]", "second [2/2]"], "key-a")
        again = await pub.publish(["first [1/2]", "second [2/2]"], "key-a", Progress(2, uncertain={0, 1}))
        assert await pub.check() == "ok: posting as @acme"
    finally:
        await pub.close()
    assert again == ids and len(fake.statuses) == 2
    assert fake.statuses[1]["in_reply_to_id"] == ids[0] and fake.statuses[0]["language"] == "en"


async def test_after_the_key_window_an_uncertain_part_is_found_not_posted_again(
        masto: tuple[FakeMastodonApi, str]) -> None:
    """A restart more than an hour later: the server forgot the key, the account's statuses still show the part."""
    fake, base = masto
    pub = publisher(base)
    first_text = "Sorry & see https://status.acme.example/incidents/2026-03-02-login-outage\nmore [1/2]"
    try:
        first = await pub.publish([first_text], "key-b")
        fake.forget_keys()
        progress = Progress(2, uncertain={0, 1})  # both may have gone out before the crash; only the first did
        ids = await pub.publish([first_text, "second [2/2]"], "key-b", progress)
    finally:
        await pub.close()
    assert ids[0] == first[0] and [s["text_sent"] for s in fake.statuses] == [first_text, "second [2/2]"]
    assert fake.statuses[1]["in_reply_to_id"] == first[0] and progress.urls[0].endswith(f"/@acme/{first[0]}")


async def test_rate_limit_reset_is_read_from_the_iso_header(masto: tuple[FakeMastodonApi, str]) -> None:
    fake, base = masto
    reset = START + timedelta(minutes=5)
    fake.script.fail(429, {"error": "Too many requests"}, {"X-RateLimit-Reset": reset.isoformat()})
    pub = publisher(base)
    try:
        with pytest.raises(RateLimited) as caught:
            await pub.publish(["hi"], "k")
    finally:
        await pub.close()
    assert caught.value.retry_at == reset and fake.statuses == []


@pytest.mark.parametrize(("status", "body", "retry", "words"), [
    (401, {"error": "The access token is invalid"}, False, "access token is invalid"),
    (422, {"error": "Validation failed: Text character limit of 500 exceeded"}, False, "character limit"),
    (502, "<html>Bad Gateway</html>", True, "Bad Gateway"),
    (200, "<html>not the API</html>", True, "not JSON"),
])
async def test_errors_carry_the_server_reason(masto: tuple[FakeMastodonApi, str], status: int, body: Any,
                                              retry: bool, words: str) -> None:
    fake, base = masto
    fake.script.fail(status, body)
    pub = publisher(base)
    try:
        with pytest.raises(PublishError) as caught:
            await pub.publish(["hi"], "k")
    finally:
        await pub.close()
    assert caught.value.retry is retry and words in caught.value.reason and f"HTTP {status}" in caught.value.reason


async def test_wrong_token_is_refused_and_not_shown(masto: tuple[FakeMastodonApi, str]) -> None:
    _fake, base = masto
    pub = publisher(base, token="not-the-token-999")
    try:
        with pytest.raises(PublishError) as caught:
            await pub.check()
    finally:
        await pub.close()
    assert "HTTP 401" in caught.value.reason and "not-the-token-999" not in caught.value.reason


async def test_unreachable_instance_is_retryable() -> None:
    pub = publisher("http://127.0.0.1:9")
    try:
        with pytest.raises(PublishError) as caught:
            await pub.publish(["hi"], "k")
    finally:
        await pub.close()
    assert caught.value.retry and "cannot reach" in caught.value.reason
