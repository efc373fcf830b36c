"""What the outbox tests share: sample posts, channel settings, and fake networks served locally."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.models import IncidentRow, StatusPostRow
from monitor.settings import Settings, parse_settings
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
