"""Incident lifecycle: investigating, identified, monitoring, resolved; one page per step, drafts to follow."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alerts.drafts import Drafter
from alerts.notifier import Notifier
from monitor.alert_text import compose
from monitor.clock import Clock, as_utc
from monitor.detection import RECOVERY
from monitor.detectors.base import EpisodeEvent
from monitor.evidence import EvidenceBuffer
from monitor.followups import Followups
from monitor.models import AlertRow, IncidentRow
from monitor.paging import Pager
from monitor.settings import Settings
from monitor.store import Store

log = logging.getLogger(__name__)
SIGNAL_PRIORITY = {"outage": 4, "complaints": 3, "negative": 2, "volume": 1}


@dataclass
class OpenIncident:
    """What the manager tracks about a brand's open incident (rebuilt from the database after a restart)."""

    row: IncidentRow
    active: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)      # names of the pages already written (`open`, `severity-6`)
    paged_severity: int = 0                           # severity of the last open / escalation page
    last_page_at: datetime | None = None
    targets: set[str] = field(default_factory=set)   # everyone paged so far: the all-clear reaches them all
    announced: bool = True                            # its opening was paged and drafted (False while cut short)


def page_name(alert: AlertRow) -> str:
    """The step a stored page stands for (alerts written before keys existed get one from their kind)."""
    if alert.dedupe_key:
        return alert.dedupe_key.rsplit(":", 1)[-1]
    if alert.kind == "escalate":
        return "unacked" if "not acknowledged" in alert.title else f"severity-{alert.severity}"
    return alert.kind


class IncidentManager:
    """Turn episode events into one incident per brand at a time, with pages and status drafts."""

    def __init__(self, store: Store, notifier: Notifier, drafter: Drafter, settings: Settings, clock: Clock,
                 evidence: EvidenceBuffer, base_url: str = "http://127.0.0.1:8080") -> None:
        self.store, self.notifier, self.settings, self.clock = store, notifier, settings, clock
        self.evidence = evidence
        self.base_url = base_url.rstrip("/")
        self.pager = Pager(store, notifier, settings.alerts, clock)
        self.followups = Followups(store, drafter, settings, clock)
        self._lock = asyncio.Lock()
        self.open: dict[str, OpenIncident] = {}
        for row in store.open_incidents():
            current = self.open[row.brand] = OpenIncident(row, set(row.evidence.get("active", [])))
            for alert in store.alerts_for(row.id):
                self._remember(current, alert)

    @staticmethod
    def _remember(current: OpenIncident, alert: AlertRow) -> None:
        name = page_name(alert)
        current.sent.add(name)
        current.targets.update(alert.targets or {})
        if name == "open" or name.startswith("severity-"):
            current.paged_severity = max(current.paged_severity, alert.severity)
            current.last_page_at = max(current.last_page_at or alert.at, alert.at)

    async def resume(self) -> int:
        """After a restart: write the pages a crash kept from being written, send those written but never tried."""
        async with self._lock:
            for current in list(self.open.values()):
                row = current.row
                if "open" not in current.sent:  # died between storing the incident and writing its page
                    await self._page(current, "open", "open", as_utc(row.opened_at))
                if row.acknowledged_at and "ack" not in current.sent:
                    await self._page(current, "ack", "ack", as_utc(row.acknowledged_at), who=row.acknowledged_by)
                if row.identified_at and "identified" not in current.sent:
                    await self._page(current, "identified", "identified", as_utc(row.identified_at),
                                     who=row.identified_by, note=row.identified_note)
        return await self.pager.resume()

    async def on_event(self, brand: str, signal: str, event: EpisodeEvent, series: list[Any]) -> None:
        """Apply one detector event for a brand's signal."""
        async with self._lock:
            current = self.open.get(brand)
            if event.kind == "open":
                if current is None:
                    await self._open(brand, signal, event, series)
                    return
                if not current.announced:  # the database refused part of its opening: the event comes again
                    await self._announce(current, event.at)
                    return
                current.active.add(signal)
                row = current.row
                if row.calm_since is not None:  # back within the monitoring hold: the same incident
                    row.calm_since = None
                    self._move(row, "identified" if row.identified_at else "investigating", event.at)
                await self._grow(current, signal, event, series)
            elif current is not None and signal in current.active:
                if event.kind == "escalate":
                    await self._grow(current, signal, event, series)
                elif event.kind == "resolve":
                    if current.active == {signal}:  # the last one calm: still active until that is written
                        await self._monitor(current, event, series)
                    current.active.discard(signal)

    @staticmethod
    def _move(row: IncidentRow, state: str, at: datetime, who: str | None = None, note: str | None = None) -> None:
        """Change state and keep it on the incident's timeline."""
        row.state = state
        entry = {"state": state, "at": as_utc(at).isoformat()}
        if who:
            entry["by"] = who
        if note:
            entry["note"] = note
        if (row.timeline or [None])[-1] != entry:  # the same step tried again after a refused save
            row.timeline = [*(row.timeline or []), entry]

    async def _save(self, current: OpenIncident) -> IncidentRow:
        current.row = await asyncio.to_thread(self._merge_and_save, current.row)
        return current.row

    def _merge_and_save(self, row: IncidentRow) -> IncidentRow:
        """Keep what another process (say, the CLI) recorded meanwhile: an acknowledgement, an identification."""
        stored = self.store.get(IncidentRow, row.id) if row.id is not None else None
        if stored is not None:
            if stored.acknowledged_at and not row.acknowledged_at:
                row.acknowledged_at, row.acknowledged_by = stored.acknowledged_at, stored.acknowledged_by
            if stored.identified_at and not row.identified_at:
                row.identified_at, row.identified_by = stored.identified_at, stored.identified_by
                row.identified_note = stored.identified_note
                row.state = "identified" if row.state == "investigating" else row.state
            mine = {(e.get("state"), e.get("at")) for e in row.timeline or []}
            extra = [e for e in stored.timeline or [] if (e.get("state"), e.get("at")) not in mine]
            if extra:
                row.timeline = sorted([*(row.timeline or []), *extra], key=lambda e: e.get("at") or "")
        return self.store.add(row)

    async def _open(self, brand: str, signal: str, event: EpisodeEvent, series: list[Any]) -> None:
        since = event.started_at
        row = IncidentRow(
            brand=brand, signal=signal, state="investigating", severity=event.severity,
            topic=self.evidence.main_topic(brand, signal, since), started_at=since, opened_at=event.at,
            peak_rate=self._rate(event.peak), baseline_rate=self._rate(event.expected),
            timeline=[{"state": "investigating", "at": as_utc(event.at).isoformat()}],
            evidence={**self.evidence.snapshot(brand, signal, since), "series": series, "active": [signal],
                      "signals": [signal]})
        row = await asyncio.to_thread(self.store.add, row)
        current = self.open[brand] = OpenIncident(row, {signal}, announced=False)
        await self._announce(current, event.at)

    async def _announce(self, current: OpenIncident, at: datetime) -> None:
        """Page the opening and draft the first post (each once, should a first try have stopped part-way)."""
        await self._page(current, "open", "open", at)
        if current.row.next_update_at is None:
            await self._draft(current, "investigating", at)
        current.announced = True

    async def _grow(self, current: OpenIncident, signal: str, event: EpisodeEvent, series: list[Any]) -> None:
        row = current.row
        rate = self._rate(event.peak)
        stronger = SIGNAL_PRIORITY[signal] > SIGNAL_PRIORITY[row.signal]
        if stronger:
            row.signal = signal
            row.topic = self.evidence.main_topic(row.brand, signal, row.started_at) or row.topic
        if signal == row.signal:
            row.peak_rate = max(row.peak_rate, rate)
            row.baseline_rate = self._rate(event.expected) if stronger else row.baseline_rate
        signals = sorted({*row.evidence.get("signals", []), signal}, key=lambda s: -SIGNAL_PRIORITY[s])
        snapshot = self.evidence.snapshot(row.brand, row.signal, row.started_at)
        if not snapshot["samples"]:  # nothing in memory (say, just after a restart): keep what was stored
            snapshot = {}
        row.evidence = {**row.evidence, **snapshot,
                        "series": series if signal == row.signal else row.evidence.get("series", []),
                        "active": sorted(current.active), "signals": signals}
        row.severity = max(row.severity, event.severity)
        await self._save(current)
        await self._escalate_if_due(current, event.at)

    async def _escalate_if_due(self, current: OpenIncident, at: datetime) -> None:
        """Page a higher severity once per level, at most once per cooldown; draft an update with it."""
        row = current.row
        cooldown = timedelta(minutes=self.settings.alerts.cooldown_minutes)
        if row.severity <= current.paged_severity or f"severity-{row.severity}" in current.sent:
            return
        if current.last_page_at is not None and at < as_utc(current.last_page_at) + cooldown:
            return  # tick() pages it when the cooldown is over
        previous = current.paged_severity
        await self._page(current, f"severity-{row.severity}", "escalate", at)
        await self._draft(current, "update", at, severity=row.severity, previous_severity=previous)

    async def _monitor(self, current: OpenIncident, event: EpisodeEvent, series: list[Any]) -> None:
        """Every signal is back to normal: watch for the monitoring hold before the all-clear."""
        row = current.row
        row.calm_since = event.at
        self._move(row, "monitoring", event.at)
        row.evidence = {**row.evidence, "active": [],
                        "series": series if series else row.evidence.get("series", [])}
        self._hear_recovery(row)
        await self._save(current)
        await self._draft(current, "monitoring", event.at)

    def _hear_recovery(self, row: IncidentRow) -> None:
        """Keep what people said about it working again since the incident started (nothing when nobody did)."""
        said = self.evidence.snapshot(row.brand, RECOVERY, row.started_at, samples=3)
        if said["mentions"]:
            row.evidence = {**row.evidence, "recovery": {"mentions": said["mentions"], "samples": said["samples"]}}

    async def _resolve(self, brand: str, current: OpenIncident, at: datetime) -> None:
        """The hold passed quietly: resolved since it went calm; page the all-clear and draft the post."""
        row = current.row
        row.resolved_at = row.calm_since
        self._hear_recovery(row)
        self._move(row, "resolved", at)
        row.next_update_at = None
        await self._page(current, "resolve", "resolve", at)  # first: a crash before the save re-resolves, once
        await self._save(current)
        del self.open[brand]
        await self._draft(current, "resolved", at)

    async def tick(self, now: datetime) -> None:
        """Resolve after the hold, page a held-back escalation, remind when nobody acknowledged, retry pages."""
        wait = timedelta(minutes=self.settings.alerts.escalate_unacked_minutes)
        hold = timedelta(minutes=self.settings.detector.monitoring_minutes)
        async with self._lock:
            for brand, current in list(self.open.items()):
                row = current.row
                if row.calm_since is not None and now >= as_utc(row.calm_since) + hold:
                    await self._resolve(brand, current, as_utc(row.calm_since) + hold)
                    continue
                if row.calm_since is None:  # still elevated: held-back escalation, then the reminder
                    await self._escalate_if_due(current, now)
                    if (row.acknowledged_at is None and "unacked" not in current.sent
                            and as_utc(row.opened_at) + wait <= now and not await self._acked_elsewhere(current)):
                        await self._page(current, "unacked", "escalate", now, reason="unacked")
                if await self.followups.when_due(current.row, now):
                    await self._save(current)
        await self.pager.retry_due(now)

    async def _acked_elsewhere(self, current: OpenIncident) -> bool:
        """Look in the database for an acknowledgement made by another process."""
        stored = await asyncio.to_thread(self.store.get, IncidentRow, current.row.id)
        if stored is not None and stored.acknowledged_at is not None:
            current.row.acknowledged_at, current.row.acknowledged_by = stored.acknowledged_at, stored.acknowledged_by
            return True
        return False

    async def _open_for(self, incident_id: int) -> OpenIncident | None:
        """The open incident with this id: tracked here, or opened since by another process (then adopted)."""
        found = next((c for c in self.open.values() if c.row.id == incident_id), None)
        if found is not None:
            return found
        row = await asyncio.to_thread(self.store.get, IncidentRow, incident_id)
        if row is None or row.resolved_at is not None or row.brand in self.open:
            return None
        current = self.open[row.brand] = OpenIncident(row, set(row.evidence.get("active", [])))
        for alert in await self.pager.alerts(incident_id):
            self._remember(current, alert)
        return current

    async def acknowledge(self, incident_id: int, who: str) -> IncidentRow | None:
        """Record who is on it and when; stops the no-acknowledgement reminder; tells the targets once."""
        async with self._lock:
            current = await self._open_for(incident_id)
            if current is None:  # resolved or unknown
                return await asyncio.to_thread(self.store.get, IncidentRow, incident_id)
            if current.row.acknowledged_at is not None or await self._acked_elsewhere(current):
                return current.row
            now = self.clock.now()
            current.row.acknowledged_at, current.row.acknowledged_by = now, who
            current.row.timeline = [*(current.row.timeline or []),
                                    {"state": "acknowledged", "at": as_utc(now).isoformat(), "by": who}]
            await self._save(current)
            await self._page(current, "ack", "ack", now, who=who)
            return current.row

    async def identify(self, incident_id: int, who: str, note: str = "") -> IncidentRow | None:
        """An operator found the cause: the incident moves to `identified`, targets hear it, a draft follows."""
        async with self._lock:
            current = await self._open_for(incident_id)
            if current is None:
                return await asyncio.to_thread(self.store.get, IncidentRow, incident_id)
            row = current.row
            if row.identified_at is not None:
                return row
            now = self.clock.now()
            row.identified_at, row.identified_by, row.identified_note = now, who, note.strip()[:2000] or None
            if row.calm_since is None:
                self._move(row, "identified", now, who, row.identified_note)
            else:  # already calm: stays in monitoring, the cause is still worth recording
                row.timeline = [*(row.timeline or []), {"state": "identified", "at": as_utc(now).isoformat(),
                                                        "by": who, "note": row.identified_note}]
            await self._save(current)
            await self._page(current, "identified", "identified", now, who=who, note=row.identified_note)
            await self._draft(current, "identified", now)
            return current.row

    async def _draft(self, current: OpenIncident, phase: str, at: datetime, **extra: Any) -> None:
        """Draft the post for this moment; save the incident's new next-update time."""
        if await self.followups.draft(current.row, phase, at, **extra) and current.row.resolved_at is None:
            await self._save(current)

    def _rate(self, per_bucket: float) -> float:
        return round(per_bucket * 60.0 / self.settings.detector.bucket_seconds, 3)

    async def _page(self, current: OpenIncident, name: str, kind: str, at: datetime, reason: str | None = None,
                    who: str | None = None, note: str | None = None) -> None:
        """Write and send one page: escalations go to the routes of the new severity, notices to everyone paged."""
        if name in current.sent:
            return
        row = current.row
        targets = self.notifier.route(row.brand, row.signal, row.severity)
        if kind in ("resolve", "ack", "identified"):
            targets = list(dict.fromkeys([*targets, *sorted(current.targets)]))
        notify_type = {"resolve": "success", "ack": "info", "identified": "info"}.get(
            kind, "failure" if row.severity >= 7 else "warning")
        title, body = compose(row, kind, self.base_url, at, reason=reason, who=who, note=note)
        alert = await self.pager.page(row, name, kind, title, body, notify_type, targets, at)
        current.sent.add(name)
        if alert is not None:
            self._remember(current, alert)
