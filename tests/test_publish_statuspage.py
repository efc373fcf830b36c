"""The status-page publisher against a local Statuspage-style API: create once, then update the same incident."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from alerts.publishers.base import PostInfo, Progress, PublishError
from alerts.publishers.statuspage import StatuspageConfig, StatuspagePublisher
from monitor.clock import SimulatedClock
from tests.fake_statuspage import FakeStatuspage

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
async def page(aiohttp_server: Any) -> tuple[FakeStatuspage, str]:
    fake = FakeStatuspage()
    server = await aiohttp_server(fake.app())
    return fake, f"http://127.0.0.1:{server.port}"


def publisher(base: str, key: str = "sp-key-123") -> StatuspagePublisher:
    return StatuspagePublisher("status", StatuspageConfig(api_base=base, page_id="pg1", api_key=key,
                                                         impact="major"), SimulatedClock(START))


async def test_create_then_update_the_same_incident(page: tuple[FakeStatuspage, str]) -> None:
    fake, base = page
    pub = publisher(base)
    try:
        first = await pub.publish(["Login trouble, sorry."], "k1", None,
                                  PostInfo(phase="investigating", title="Acme: trouble with logging in"))
        later = await pub.publish(["Still on it, sorry."], "k2", None,
                                  PostInfo(phase="update", previous=first[0], state="investigating"))
        done = await pub.publish(["Fixed, thanks."], "k3", None, PostInfo(phase="resolved", previous=first[0]))
        assert await pub.check() == "ok: updating the page 'Acme Status'"
    finally:
        await pub.close()
    assert first == later == done and len(fake.incidents) == 1
    incident = fake.incidents[first[0]]
    assert incident["status"] == "resolved" and incident["impact"] == "major"
    assert [u["body"] for u in reversed(incident["incident_updates"])] == [
        "Login trouble, sorry.", "Still on it, sorry.", "Fixed, thanks."]


async def test_uncertain_create_and_update_are_found_not_repeated(page: tuple[FakeStatuspage, str]) -> None:
    fake, base = page
    pub = publisher(base)
    info = PostInfo(phase="investigating", title="Acme: service disruption")
    try:
        first = await pub.publish(["Down, sorry."], "k1", None, info)
        again = await pub.publish(["Down, sorry."], "k1", Progress(1, uncertain={0}), info)
        follow = PostInfo(phase="monitoring", previous=first[0])
        await pub.publish(["Fix in place, sorry."], "k2", None, follow)
        await pub.publish(["Fix in place, sorry."], "k2", Progress(1, uncertain={0}), follow)
    finally:
        await pub.close()
    assert again == first and fake.writes == 2


async def test_bad_key_is_a_clear_final_error(page: tuple[FakeStatuspage, str]) -> None:
    fake, base = page
    pub = publisher(base, key="bad-key-0000")
    try:
        with pytest.raises(PublishError) as caught:
            await pub.publish(["x"], "k", None, PostInfo(title="t"))
    finally:
        await pub.close()
    assert not caught.value.retry and "Could not authenticate" in caught.value.reason
    assert "bad-key-0000" not in caught.value.reason and fake.incidents == {}


@pytest.mark.parametrize("status", [420, 429])
async def test_rate_limit_uses_retry_after(page: tuple[FakeStatuspage, str], status: int) -> None:
    from datetime import timedelta

    from alerts.publishers.base import RateLimited

    fake, base = page
    fake.script.fail(status, {"error": "Rate limit exceeded"}, {"Retry-After": "90"})
    pub = publisher(base)
    try:
        with pytest.raises(RateLimited) as caught:
            await pub.publish(["x"], "k", None, PostInfo(title="t"))
    finally:
        await pub.close()
    assert caught.value.retry_at == START + timedelta(seconds=90) and fake.incidents == {}
