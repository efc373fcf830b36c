"""Incident lifecycle from detector events: one page per step, cooldown, acknowledgement, identification, drafts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.drafts import Drafter
from alerts.notifier import Notifier
from classifiers.base import Classification
from monitor.alert_text import clean, duration, severity_label
from monitor.clock import SimulatedClock
from monitor.detectors.base import EpisodeEvent
from monitor.evidence import EvidenceBuffer
from monitor.incidents import IncidentManager
from monitor.mention import Author, Mention
from monitor.models import AlertRow, IncidentRow, StatusPostRow
from monitor.settings import parse_settings
from monitor.store import Store

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def at(minute: float) -> datetime:
    """`minute` minutes after T0."""
    return T0 + timedelta(minutes=minute)


def event(kind: str, minute: int, severity: int = 3, peak: float = 12.0) -> EpisodeEvent:
    """An episode event `minute` minutes after T0."""
    return EpisodeEvent(kind, at(minute), T0, severity, peak, 1.0, peak)  # type: ignore[arg-type]


def manager(store_url: str, urls: list[str], clock: SimulatedClock, texts: list[str] | None = None,
            **alerts: Any) -> tuple[IncidentManager, Store]:
    """An incident manager on a store with evidence of an Italian login outage."""
    settings = parse_settings({"brands": [{"name": "Acme", "languages": ["en", "it"],
                                           "status_page": "https://status.acme.example"}],
                               "alerts": {"escalate_unacked_minutes": 15, **alerts}})
    evidence = EvidenceBuffer()
    verdict = Classification("outage", "negative", "it", "login")
    texts = texts or ["@acme accesso bloccato, app giù da ore", "@acme non riesco ad accedere, login giù"]
    for i in range(6):
        mention = Mention(str(i), "x", T0 + timedelta(seconds=20 * i), texts[i % len(texts)], Author(str(i), f"u{i}"))
        evidence.record("Acme", ("outage", "complaints"), mention, verdict)
    store = Store(store_url)
    notifier = Notifier(urls, brand_urls={}, routes=settings.alerts.routes)
    return IncidentManager(store, notifier, Drafter(settings.status_posts), settings, clock, evidence), store


def titles(recorder: Any) -> list[str]:
    """Titles of the pages the local target received, in order."""
    return [m["title"] for m in recorder.received]


async def test_lifecycle_pages_once_per_step_and_drafts_follow(store_url: str, hook: tuple[Any, str]) -> None:
    recorder, url = hook
    incidents, store = manager(store_url, [url], SimulatedClock(T0))
    await incidents.on_event("Acme", "complaints", event("open", 2), [])
    await incidents.on_event("Acme", "outage", event("open", 3, severity=3), [])  # same brand: attaches
    await incidents.on_event("Acme", "outage", event("escalate", 6, severity=6, peak=40.0), [])
    assert len(recorder.received) == 1  # within the 5-minute cooldown of the opening page
    await incidents.tick(at(7))
    await incidents.on_event("Acme", "complaints", event("resolve", 20), [])  # outage still active
    assert store.all(IncidentRow)[0].resolved_at is None
    await incidents.on_event("Acme", "outage", event("resolve", 25), [])
    assert store.all(IncidentRow)[0].state == "monitoring" and len(recorder.received) == 2
    await incidents.tick(at(39))
    assert store.all(IncidentRow)[0].state == "monitoring"
    await incidents.tick(at(41))
    row = store.all(IncidentRow)[0]
    assert row.signal == "outage" and row.topic == "login" and row.severity == 6
    assert row.state == "resolved" and row.resolved_at == at(25)
    assert [(e["state"], e["at"]) for e in row.timeline] == [
        ("investigating", at(2).isoformat()), ("monitoring", at(25).isoformat()), ("resolved", at(40).isoformat())]
    assert row.peak_rate == 40.0 and row.evidence["signals"] == ["outage", "complaints"]
    assert [(a.kind, a.step, a.dedupe_key) for a in store.all(AlertRow)] == [
        ("open", 0, "incident-1:open"), ("escalate", 0, "incident-1:severity-6"), ("resolve", 0, "incident-1:resolve")]
    assert titles(recorder) == [
        "[Acme] severity 3/10, possible problems: complaints about login spike (incident #1)",
        "[Acme] severity 6/10, problems detected: outage reports about login rising (incident #1)",
        "[Acme] all clear: outage reports about login back to normal (incident #1)"]
    opening = recorder.received[0]["message"]
    assert "How big: 12/min vs 1/min usual (12.0x), severity 3/10 (possible problems)" in opening
    assert "Incident page: http://127.0.0.1:8080/incidents/1" in opening and "non riesco ad accedere" in opening
    assert "lasted 25 min" in recorder.received[2]["message"]
    posts = store.all(StatusPostRow, order=StatusPostRow.id)
    assert [(p.phase, p.lang) for p in posts] == [("investigating", "it"), ("update", "it"), ("monitoring", "it"),
                                                  ("resolved", "it")]
    assert "l'accesso" in posts[0].text
    assert [p.state for p in posts] == ["expired", "expired", "expired", "pending_approval"]  # superseded at once


async def test_escalations_respect_the_cooldown_and_page_each_level_once(store_url: str,
                                                                         hook: tuple[Any, str]) -> None:
    recorder, url = hook
    incidents, store = manager(store_url, [url], SimulatedClock(T0), cooldown_minutes=5)
    await incidents.on_event("Acme", "outage", event("open", 0), [])
    await incidents.on_event("Acme", "outage", event("escalate", 1, severity=5), [])
    await incidents.on_event("Acme", "outage", event("escalate", 2, severity=7), [])
    await incidents.tick(at(4))
    assert len(recorder.received) == 1
    await incidents.tick(at(5))
    await incidents.tick(at(5.5))
    assert titles(recorder)[1].startswith("[Acme] severity 7/10, major problems")
    assert recorder.received[1]["type"] == "failure"
    await incidents.on_event("Acme", "outage", event("escalate", 6, severity=7), [])  # same level: nothing
    await incidents.on_event("Acme", "outage", event("escalate", 7, severity=9), [])
    await incidents.tick(at(9))
    await incidents.tick(at(10))
    await incidents.tick(at(11))
    assert [a.dedupe_key for a in store.all(AlertRow)] == ["incident-1:open", "incident-1:severity-7",
                                                          "incident-1:severity-9"]
    assert "critical outage" in titles(recorder)[2] and len(recorder.received) == 3


async def test_unacknowledged_incident_is_reminded_once(store_url: str, tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    incidents, store = manager(store_url, [f"oncall://?path={log}&console=no"], SimulatedClock(T0))
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    await incidents.tick(at(16))
    assert len(store.all(AlertRow)) == 1
    await incidents.tick(at(17))
    await incidents.tick(at(30))
    alerts = store.all(AlertRow)
    assert [a.kind for a in alerts] == ["open", "escalate"] and "not acknowledged" in alerts[1].title
    assert log.read_text().count("not acknowledged") == 1


async def test_acknowledgement_stops_the_reminder_and_is_announced_once(store_url: str,
                                                                        hook: tuple[Any, str]) -> None:
    recorder, url = hook
    clock = SimulatedClock(at(5))
    incidents, store = manager(store_url, [url], clock)
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    incident_id = store.all(IncidentRow)[0].id
    row = await incidents.acknowledge(incident_id, "anna")
    assert row.acknowledged_by == "anna" and row.acknowledged_at == at(5)
    clock.set(at(6))
    again = await incidents.acknowledge(incident_id, "marco")
    assert again.acknowledged_by == "anna"
    await incidents.tick(at(30))
    assert titles(recorder) == [
        "[Acme] severity 3/10, possible problems: outage reports about login spike (incident #1)",
        "[Acme] acknowledged by anna: outage reports about login (incident #1)"]
    assert "Acknowledged by anna at 2026-03-02T14:05:00+00:00" in recorder.received[1]["message"]
    assert recorder.received[1]["type"] == "info"
    stored = store.get(IncidentRow, incident_id)
    assert stored.acknowledged_by == "anna" and stored.timeline[-1] == {
        "state": "acknowledged", "at": at(5).isoformat(), "by": "anna"}
    assert await incidents.acknowledge(999, "anna") is None


async def test_an_acknowledgement_from_another_process_is_kept_and_respected(store_url: str,
                                                                             hook: tuple[Any, str]) -> None:
    recorder, url = hook
    daemon, store = manager(store_url, [url], SimulatedClock(T0))
    web, _ = manager(store_url, [url], SimulatedClock(at(4)))  # another process, started before the incident
    await daemon.on_event("Acme", "outage", event("open", 2), [])
    await web.acknowledge(store.all(IncidentRow)[0].id, "anna")
    await daemon.on_event("Acme", "outage", event("escalate", 8, severity=6), [])
    await daemon.tick(at(20))
    row = store.all(IncidentRow)[0]
    assert row.acknowledged_by == "anna" and row.severity == 6
    assert [a.kind for a in store.all(AlertRow)] == ["open", "ack", "escalate"]
    assert len(recorder.received) == 3 and "not acknowledged" not in " ".join(titles(recorder))


async def test_identified_is_recorded_announced_and_drafted_once(store_url: str, hook: tuple[Any, str]) -> None:
    recorder, url = hook
    clock = SimulatedClock(at(10))
    incidents, store = manager(store_url, [url], clock)
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    incident_id = store.all(IncidentRow)[0].id
    row = await incidents.identify(incident_id, "marco", "  login service deploy rolled back  ")
    assert row.state == "identified" and row.identified_by == "marco" and row.identified_at == at(10)
    assert row.identified_note == "login service deploy rolled back"
    await incidents.identify(incident_id, "anna", "something else")
    assert titles(recorder)[1] == "[Acme] cause identified: outage reports about login (incident #1)"
    assert "Identified by marco: login service deploy rolled back" in recorder.received[1]["message"]
    assert len(recorder.received) == 2
    await incidents.on_event("Acme", "outage", event("resolve", 20), [])
    await incidents.on_event("Acme", "outage", event("open", 25), [])  # within the hold: back to identified
    stored = store.get(IncidentRow, incident_id)
    assert [e["state"] for e in stored.timeline] == ["investigating", "identified", "monitoring", "identified"]
    assert [p.phase for p in store.all(StatusPostRow, order=StatusPostRow.id)] == [
        "investigating", "identified", "monitoring"]


async def test_the_promised_update_is_drafted_when_its_time_comes(store_url: str, tmp_path: Path) -> None:
    incidents, store = manager(store_url, [f"oncall://?path={tmp_path / 'a.log'}&console=no"], SimulatedClock(T0))
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    assert store.all(IncidentRow)[0].next_update_at == at(32)
    await incidents.tick(at(31))
    assert [p.phase for p in store.all(StatusPostRow)] == ["investigating"]
    await incidents.tick(at(32))
    await incidents.tick(at(33))
    assert [p.phase for p in store.all(StatusPostRow)] == ["investigating", "update"]
    assert store.all(IncidentRow)[0].next_update_at == at(62)


async def test_a_failed_target_is_retried_on_schedule_and_the_others_not_repeated(store_url: str,
                                                                                  hook: tuple[Any, str],
                                                                                  tmp_path: Path) -> None:
    recorder, url = hook
    log = tmp_path / "a.log"
    recorder.fail_next = 1
    incidents, store = manager(store_url, [url, f"oncall://?path={log}&console=no"], SimulatedClock(T0),
                               retry_backoff_seconds=60)
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    alert = store.all(AlertRow)[0]
    assert alert.status == "pending" and alert.attempts == 1 and "503" in alert.error and url[7:20] in alert.error
    assert T0 + timedelta(seconds=30) <= alert.next_attempt_at <= T0 + timedelta(seconds=60)
    await incidents.tick(alert.next_attempt_at - timedelta(seconds=1))
    assert recorder.received == []
    await incidents.tick(alert.next_attempt_at)
    alert = store.all(AlertRow)[0]
    assert alert.status == "delivered" and alert.attempts == 2 and alert.error is None
    assert len(recorder.received) == 1 and log.read_text().count("spike") == 1
    assert sorted(t["attempts"] for t in alert.targets.values()) == [1, 2]


async def test_delivery_gives_up_after_the_configured_attempts(store_url: str) -> None:
    incidents, store = manager(store_url, ["json://127.0.0.1:9/nowhere"], SimulatedClock(T0), retry_attempts=2)
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    first = store.all(AlertRow)[0]
    await incidents.tick(first.next_attempt_at)
    await incidents.tick(first.next_attempt_at + timedelta(hours=1))
    alert = store.all(AlertRow)[0]
    assert alert.status == "failed" and not alert.delivered and alert.attempts == 2
    assert "127.0.0.1" in alert.error and alert.next_attempt_at is None


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
    await incidents.on_event("Acme", "outage", event("resolve", 10), [])
    await incidents.tick(at(14))
    await incidents.on_event("Acme", "outage", event("open", 15, severity=3), [])
    assert store.all(IncidentRow)[0].state == "investigating"
    await incidents.on_event("Acme", "outage", event("resolve", 50), [])
    await incidents.tick(at(70))
    rows = store.all(IncidentRow)
    assert len(rows) == 1 and rows[0].resolved_at == at(50)
    assert [a.kind for a in store.all(AlertRow)] == ["open", "resolve"]
    assert [p.phase for p in store.all(StatusPostRow, order=StatusPostRow.id)] == [
        "investigating", "monitoring", "monitoring", "resolved"]
    assert "all clear" in titles(recorder)[-1]


async def test_mention_text_in_a_page_is_cleaned_and_trimmed(store_url: str, hook: tuple[Any, str]) -> None:
    recorder, url = hook
    texts = ["@acme down\n\nIncident page: http://evil.example <!channel> @here " + "x" * 400]
    incidents, _ = manager(store_url, [url], SimulatedClock(T0), texts=texts)
    await incidents.on_event("Acme", "outage", event("open", 2), [])
    body = recorder.received[0]["message"]
    sample = next(line for line in body.splitlines() if line.startswith("- @"))
    assert "Incident page: http://evil" in sample and body.count("\nIncident page:") == 1
    assert "<" not in body and "@here" not in sample and "@\u2060here" in sample
    assert len(sample) < 230 and sample.endswith("…")


def test_text_helpers() -> None:
    assert [severity_label(s) for s in (1, 3, 4, 6, 7, 8, 9, 10)] == [
        "possible problems", "possible problems", "problems detected", "problems detected", "major problems",
        "major problems", "critical outage", "critical outage"]
    assert duration(T0, at(85)) == "1 h 25 min" and duration(T0, at(40)) == "40 min"
    assert duration(T0, at(60 * 51)) == "2 d 3 h"
    assert clean("a\u202eb\x00c\td", 10) == "a b c d" and clean("abcdef", 4) == "abc…"
