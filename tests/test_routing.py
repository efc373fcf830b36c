"""Alert routing by brand, signal and severity, with tags: which target hears which page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from alerts.drafts import Drafter
from alerts.notifier import Notifier
from monitor.clock import SimulatedClock
from monitor.detectors.base import EpisodeEvent
from monitor.evidence import EvidenceBuffer
from monitor.incidents import IncidentManager
from monitor.settings import ConfigError, Settings, parse_settings
from monitor.store import Store
from tests.conftest import HookRecorder

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
CHAT, PHONE, COMPLAINTS, VOLTA = ("json://127.0.0.1:7001/chat", "json://127.0.0.1:7002/phone",
                                  "json://127.0.0.1:7003/complaints", "json://127.0.0.1:7004/volta")


def routed_settings(chat: str, phone: str, complaints: str = COMPLAINTS) -> Settings:
    """Chat by default; the phone (tagged) from severity 7; complaint surges only to their own channel."""
    return parse_settings({
        "brands": [{"name": "Acme"}, {"name": "Volta", "alert_urls": [VOLTA]}],
        "alerts": {"urls": [chat, f"{phone} #phone"], "routes": [
            {"name": "phone", "min_severity": 7, "tags": ["phone"]},
            {"name": "complaints", "signals": ["complaints"], "urls": [complaints], "exclusive": True},
        ]}})


def notifier_for(settings: Settings) -> Notifier:
    """The live notifier the runtime builds from these settings."""
    return Notifier(settings.alerts.urls, brand_urls={b.name: b.alert_urls for b in settings.brands},
                    routes=settings.alerts.routes)


def hosts(notifier: Notifier, keys: list[str]) -> list[str]:
    """The last path part of each target key (chat, phone, ...)."""
    return [key.split("?")[0].rsplit("/", 1)[-1] for key in keys]


def test_routes_pick_targets_by_severity_signal_and_brand() -> None:
    notifier = notifier_for(routed_settings(CHAT, PHONE))
    assert hosts(notifier, notifier.route("Acme", "outage", 3)) == ["chat"]
    assert hosts(notifier, notifier.route("Acme", "outage", 7)) == ["chat", "phone"]
    assert hosts(notifier, notifier.route("Acme", "complaints", 4)) == ["complaints"]
    assert hosts(notifier, notifier.route("Acme", "complaints", 9)) == ["phone", "complaints"]  # config order
    assert hosts(notifier, notifier.route("volta", "negative", 2)) == ["chat", "volta"]
    assert hosts(notifier, notifier.route("Acme", "negative", 2)) == ["chat"]


def test_a_route_can_be_limited_to_brands_and_repeat_a_default_url() -> None:
    settings = parse_settings({"alerts": {"urls": [CHAT], "routes": [
        {"brands": ["volta"], "min_severity": 5, "urls": [PHONE, CHAT]}]}})
    notifier = Notifier(settings.alerts.urls, routes=settings.alerts.routes)
    assert hosts(notifier, notifier.route("Volta", "outage", 5)) == ["chat", "phone"]
    assert hosts(notifier, notifier.route("Acme", "outage", 9)) == ["chat"]
    assert len(notifier.targets) == 2


@pytest.mark.parametrize(("routes", "expected"), [
    ([{"min_severity": 7}], r"alerts\.routes\[0\]: value error, route '\(unnamed\)': give urls or tags"),
    ([{"urls": ["nonsense://"]}], r"alerts\.routes\[0\]\.urls\[0\]: not a usable Apprise URL"),
    ([{"urls": [CHAT], "signals": ["praise"]}], r"alerts\.routes\[0\]\.signals\[0\]"),
    ([{"urls": [CHAT], "min_severity": 11}], r"alerts\.routes\[0\]\.min_severity"),
    ([{"urls": [CHAT], "severity": 3}], r"alerts\.routes\[0\]\.severity: unknown key"),
])
def test_route_mistakes_are_config_errors_naming_the_key(routes: list[dict[str, Any]], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        notifier_for(parse_settings({"alerts": {"urls": [CHAT], "routes": routes}}))


def test_a_secret_in_a_route_url_never_shows() -> None:
    settings = parse_settings({"alerts": {"urls": [], "routes": [
        {"urls": ["json://user:hunter2@127.0.0.1/a", "json://user:swordfish@127.0.0.1/a"]}]}})
    notifier = Notifier(settings.alerts.urls, routes=settings.alerts.routes)
    keys = notifier.route("Acme", "outage", 1)
    assert len(keys) == 2 and not any("hunter2" in k or "swordfish" in k for k in keys)


async def second_hook(aiohttp_server: Any) -> tuple[HookRecorder, str]:
    """Another local json:// target (the on-call phone)."""
    recorder = HookRecorder()
    app = web.Application()
    app.router.add_post("/phone", recorder.handle)
    server = await aiohttp_server(app)
    return recorder, f"json://127.0.0.1:{server.port}/phone"


def event(kind: str, minute: int, severity: int) -> EpisodeEvent:
    """An episode event `minute` minutes after T0."""
    return EpisodeEvent(kind, T0 + timedelta(minutes=minute), T0, severity, 30.0, 2.0, 30.0)  # type: ignore[arg-type]


async def test_escalation_reaches_the_phone_and_the_all_clear_reaches_everyone_paged(
        store_url: str, hook: tuple[HookRecorder, str], aiohttp_server: Any) -> None:
    chat, chat_url = hook
    phone, phone_url = await second_hook(aiohttp_server)
    settings = routed_settings(chat_url, phone_url)
    clock = SimulatedClock(T0)
    manager = IncidentManager(Store(store_url), notifier_for(settings), Drafter(settings.status_posts), settings,
                              clock, EvidenceBuffer())
    await manager.on_event("Acme", "outage", event("open", 2, 3), [])
    assert len(chat.received) == 1 and phone.received == []
    await manager.on_event("Acme", "outage", event("escalate", 9, 8), [])
    assert [m["title"][:20] for m in phone.received] == ["[Acme] severity 8/10"]
    clock.set(T0 + timedelta(minutes=10))
    await manager.acknowledge(1, "anna")
    await manager.on_event("Acme", "outage", event("resolve", 30, 8), [])
    await manager.tick(T0 + timedelta(minutes=46))
    assert [m["title"].split(":")[0] for m in chat.received] == [
        "[Acme] severity 3/10, possible problems", "[Acme] severity 8/10, major problems",
        "[Acme] acknowledged by anna", "[Acme] all clear"]
    assert [m["title"].split(":")[0] for m in phone.received] == [
        "[Acme] severity 8/10, major problems", "[Acme] acknowledged by anna", "[Acme] all clear"]


async def test_a_complaint_surge_only_goes_to_its_channel(store_url: str, hook: tuple[HookRecorder, str],
                                                          aiohttp_server: Any) -> None:
    complaints, complaints_url = hook
    phone, phone_url = await second_hook(aiohttp_server)
    settings = routed_settings("json://127.0.0.1:9/chat-never-reached", phone_url, complaints_url)
    manager = IncidentManager(Store(store_url), notifier_for(settings), Drafter(settings.status_posts), settings,
                              SimulatedClock(T0), EvidenceBuffer())
    await manager.on_event("Acme", "complaints", event("open", 2, 4), [])
    alert = manager.store.alerts_for(1)[0]
    assert alert.status == "delivered" and hosts(manager.notifier, list(alert.targets)) == ["hook"]
    assert [m["title"][:20] for m in complaints.received] == ["[Acme] severity 4/10"] and phone.received == []
