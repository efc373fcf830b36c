"""Incident lifecycle from detector events: one incident per brand, one page per step, drafts, escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.drafts import Drafter
from alerts.notifier import Notifier
from classifiers.base import Classification
from monitor.clock import SimulatedClock
from monitor.detectors.base import EpisodeEvent
from monitor.evidence import EvidenceBuffer
from monitor.incidents import IncidentManager
from monitor.mention import Author, Mention
from monitor.models import AlertRow, IncidentRow, StatusPostRow
from monitor.settings import parse_settings
from monitor.store import Store

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


async def no_wait(_seconds: float) -> None:
    """Backoff without sleeping."""


def event(kind: str, minute: int, severity: int = 3, peak: float = 12.0) -> EpisodeEvent:
    """An episode event `minute` minutes after T0."""
    return EpisodeEvent(kind, T0 + timedelta(minutes=minute), T0, severity, peak, 1.0, peak)  # type: ignore[arg-type]


def manager(store_url: str, urls: list[str], clock: SimulatedClock) -> tuple[IncidentManager, Store]:
    """An incident manager on a fresh store with evidence of an Italian login outage."""
    settings = parse_settings({"brands": [{"name": "Acme", "languages": ["en", "it"],
                                           "status_page": "https://status.acme.example"}],
                               "alerts": {"escalate_unacked_minutes": 15}})
    evidence = EvidenceBuffer()
    verdict = Classification("outage", "negative", "it", "login")
    for i in range(6):
        text = "@acme non riesco ad accedere, login giù" if i % 2 else "@acme accesso bloccato, app giù da ore"
        mention = Mention(str(i), "x", T0 + timedelta(seconds=20 * i), text, Author(str(i), f"user{i}"))
        evidence.record("Acme", ("outage", "complaints"), mention, verdict)
    store = Store(store_url)
    return IncidentManager(store, Notifier(urls, sleep=no_wait), Drafter(settings.status_posts), settings, clock,
                           evidence), store


async def test_lifecycle_pages_once_per_step_and_drafts(store_url: str, hook: tuple[Any, str]) -> None:
    recorder, url = hook
    clock = SimulatedClock(T0)
    incidents, store = manager(store_url, [url], clock)
    await incidents.on_event("Acme", "complaints", event("open", 2), [])
    await incidents.on_event("Acme", "outage", event("open", 3, severity=3), [])  # same brand: attaches
    await incidents.on_event("Acme", "outage", event("escalate", 6, severity=6, peak=40.0), [])
    await incidents.on_event("Acme", "complaints", event("resolve", 20), [])  # outage still active
    assert len(store.all(IncidentRow)) == 1 and store.all(IncidentRow)[0].resolved_at is None
    await incidents.on_event("Acme", "outage", event("resolve", 25), [])
    assert store.all(IncidentRow)[0].state == "monitoring" and len(recorder.received) == 2
    await incidents.tick(T0 + timedelta(minutes=39))
    assert store.all(IncidentRow)[0].state == "monitoring"
    await incidents.tick(T0 + timedelta(minutes=41))
    row = store.all(IncidentRow)[0]
    assert row.signal == "outage" and row.topic == "login" and row.severity == 6
    assert row.state == "resolved" and row.resolved_at == T0 + timedelta(minutes=25)
    assert row.peak_rate == 40.0 and row.evidence["signals"] == ["outage", "complaints"]
    assert "non riesco ad accedere" in " ".join(s["text"] for s in row.evidence["samples"])
    assert [(a.kind, a.step) for a in store.all(AlertRow)] == [("open", 0), ("escalate", 1), ("resolve", 0)]
    assert [m["title"].split("]")[1].strip()[:11] for m in recorder.received] == [
        "severity 3/", "severity 6/", "all clear: "]
    assert "Incident page: http://127.0.0.1:8080/incidents/1" in recorder.received[0]["message"]
    posts = store.all(StatusPostRow)
    assert [(p.phase, p.lang, p.problems) for p in posts] == [("investigating", "it", []), ("resolved", "it", [])]
    assert "l'accesso" in posts[0].text


async def test_unacknowledged_incident_escalates_once_and_ack_stops_it(store_url: str, tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    clock = SimulatedClock(T0)
    incidents, store = manager(store_url, [f"oncall://?path={log}&console=no"], clock)
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    await incidents.tick(T0 + timedelta(minutes=10))
    assert len(store.all(AlertRow)) == 1
    await incidents.tick(T0 + timedelta(minutes=17))
    await incidents.tick(T0 + timedelta(minutes=30))
    alerts = store.all(AlertRow)
    assert [a.kind for a in alerts] == ["open", "escalate"] and "not acknowledged" in alerts[1].title
    incident_id = store.all(IncidentRow)[0].id
    clock.set(T0 + timedelta(minutes=31))
    row = await incidents.acknowledge(incident_id, "anna")
    assert row.acknowledged_by == "anna" and row.acknowledged_at == T0 + timedelta(minutes=31)


async def test_failed_delivery_is_recorded_with_its_reason(store_url: str) -> None:
    incidents, store = manager(store_url, ["json://127.0.0.1:9/nowhere"], SimulatedClock(T0))
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    alert = store.all(AlertRow)[0]
    assert not alert.delivered and alert.attempts == 3 and "127.0.0.1" in alert.error


async def test_resolve_without_open_is_ignored(store_url: str, hook: tuple[Any, str]) -> None:
    recorder, url = hook
    incidents, store = manager(store_url, [url], SimulatedClock(T0))
    await incidents.on_event("Acme", "outage", event("resolve", 5), [])
    await incidents.on_event("Acme", "outage", event("escalate", 5), [])
    assert store.all(IncidentRow) == [] and recorder.received == []


async def test_a_spike_within_the_monitoring_hold_reopens_the_same_incident(store_url: str,
                                                                            hook: tuple[Any, str]) -> None:
    recorder, url = hook
    incidents, store = manager(store_url, [url], SimulatedClock(T0))
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    await incidents.on_event("Acme", "outage", event("resolve", 20), [])
    await incidents.tick(T0 + timedelta(minutes=25))
    await incidents.on_event("Acme", "outage", event("open", 30, severity=3), [])
    assert store.all(IncidentRow)[0].state == "investigating"
    await incidents.on_event("Acme", "outage", event("resolve", 50), [])
    await incidents.tick(T0 + timedelta(minutes=70))
    rows = store.all(IncidentRow)
    assert len(rows) == 1 and rows[0].resolved_at == T0 + timedelta(minutes=50)
    assert [a.kind for a in store.all(AlertRow)] == ["open", "resolve"]
    assert [p.phase for p in store.all(StatusPostRow)] == ["investigating", "resolved"]
    assert len(recorder.received) == 2 and "all clear" in recorder.received[1]["title"]
