"""Incident lifecycle: open on a spike, escalate, resolve; page on-call and draft the public post."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alerts.drafts import Drafter
from alerts.notifier import Notifier
from monitor.clock import Clock, as_utc
from monitor.detectors.base import EpisodeEvent
from monitor.evidence import EvidenceBuffer
from monitor.models import AlertRow, IncidentRow, StatusPostRow
from monitor.settings import Settings
from monitor.store import Store

log = logging.getLogger(__name__)
SIGNAL_PRIORITY = {"outage": 4, "complaints": 3, "negative": 2, "volume": 1}
SIGNAL_WORDS = {"outage": "outage reports", "complaints": "complaints", "negative": "negative mentions",
                "volume": "mention volume"}


@dataclass
class OpenIncident:
    """What the manager tracks about a brand's open incident."""

    row: IncidentRow
    active: set[str] = field(default_factory=set)
    escalations: int = 0
    unacked_paged: bool = False
    calm_since: datetime | None = None


class IncidentManager:
    """Turn episode events into one incident per brand at a time, with alerts and status drafts."""

    def __init__(self, store: Store, notifier: Notifier, drafter: Drafter, settings: Settings, clock: Clock,
                 evidence: EvidenceBuffer, base_url: str = "http://127.0.0.1:8080") -> None:
        self.store, self.notifier, self.drafter = store, notifier, drafter
        self.settings, self.clock, self.evidence = settings, clock, evidence
        self.base_url = base_url.rstrip("/")
        self.open: dict[str, OpenIncident] = {}
        for row in store.open_incidents():
            self.open[row.brand] = OpenIncident(row, set(row.evidence.get("active", [])))

    async def _save(self, row: Any) -> Any:
        return await asyncio.to_thread(self.store.add, row)

    async def on_event(self, brand: str, signal: str, event: EpisodeEvent, series: list[Any]) -> None:
        """Apply one detector event for a brand's signal."""
        current = self.open.get(brand)
        if event.kind == "open":
            if current is None:
                await self._open(brand, signal, event, series)
            else:
                current.active.add(signal)
                if current.calm_since is not None:  # back within the monitoring hold: the same incident
                    current.calm_since = None
                    current.row.state = "investigating"
                await self._grow(current, signal, event, series)
        elif current is not None and signal in current.active:
            if event.kind == "escalate":
                await self._grow(current, signal, event, series)
            elif event.kind == "resolve":
                current.active.discard(signal)
                if not current.active:
                    await self._monitor(current, event, series)

    async def _open(self, brand: str, signal: str, event: EpisodeEvent, series: list[Any]) -> None:
        since = event.started_at
        row = IncidentRow(
            brand=brand, signal=signal, state="investigating", severity=event.severity,
            topic=self.evidence.main_topic(brand, signal, since), started_at=since, opened_at=event.at,
            peak_rate=self._rate(event.peak), baseline_rate=self._rate(event.expected),
            evidence={**self.evidence.snapshot(brand, signal, since), "series": series, "active": [signal],
                      "signals": [signal]})
        row = await self._save(row)
        current = self.open[brand] = OpenIncident(row, {signal})
        await self._page(current, "open", 0, event.at)
        await self._draft(current, "investigating", event.at)

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
        row.evidence = {**row.evidence, **self.evidence.snapshot(row.brand, row.signal, row.started_at),
                        "series": series if signal == row.signal else row.evidence.get("series", []),
                        "active": sorted(current.active), "signals": signals}
        raised = event.severity > row.severity
        row.severity = max(row.severity, event.severity)
        current.row = await self._save(row)
        if raised:
            current.escalations += 1
            await self._page(current, "escalate", current.escalations, event.at)

    async def _monitor(self, current: OpenIncident, event: EpisodeEvent, series: list[Any]) -> None:
        """Every signal is back to normal: watch for the monitoring hold before the all-clear."""
        row = current.row
        current.calm_since = event.at
        row.state = "monitoring"
        row.evidence = {**row.evidence, "active": [],
                        "series": series if series else row.evidence.get("series", [])}
        current.row = await self._save(row)

    async def _resolve(self, brand: str, current: OpenIncident, at: datetime) -> None:
        """The hold passed quietly: resolved since it went calm; page the all-clear and draft the post."""
        row = current.row
        row.state = "resolved"
        row.resolved_at = current.calm_since
        current.row = await self._save(row)
        del self.open[brand]
        await self._page(current, "resolve", 0, at)
        await self._draft(current, "resolved", at)

    async def tick(self, now: datetime) -> None:
        """Resolve incidents whose monitoring hold passed; escalate those nobody acknowledged in time."""
        wait = timedelta(minutes=self.settings.alerts.escalate_unacked_minutes)
        hold = timedelta(minutes=self.settings.detector.monitoring_minutes)
        for brand, current in list(self.open.items()):
            row = current.row
            if current.calm_since is not None:
                if now >= current.calm_since + hold:
                    await self._resolve(brand, current, current.calm_since + hold)
                continue
            if row.acknowledged_at is None and not current.unacked_paged and as_utc(row.opened_at) + wait <= now:
                current.unacked_paged = True
                current.escalations += 1
                await self._page(current, "escalate", current.escalations, now, unacked=True)

    async def acknowledge(self, incident_id: int, who: str) -> IncidentRow | None:
        """Record that someone is on it; stops the no-acknowledgement escalation."""
        row = await asyncio.to_thread(self.store.get, IncidentRow, incident_id)
        if row is None or row.acknowledged_at is not None:
            return row
        row.acknowledged_at, row.acknowledged_by = self.clock.now(), who
        row = await self._save(row)
        if row.brand in self.open and self.open[row.brand].row.id == row.id:
            self.open[row.brand].row = row
        return row

    def _rate(self, per_bucket: float) -> float:
        return round(per_bucket * 60.0 / self.settings.detector.bucket_seconds, 3)

    async def _page(self, current: OpenIncident, kind: str, step: int, at: datetime, unacked: bool = False
                    ) -> None:
        row = current.row
        title, body = self.message(row, kind, unacked)
        alert = await self._save(AlertRow(incident_id=row.id, kind=kind, step=step, severity=row.severity,
                                          at=at, title=title, body=body))
        delivery = await self.notifier.send(title, body, notify_type="success" if kind == "resolve" else (
            "failure" if row.severity >= 7 else "warning"), tag=None, brand=row.brand)
        alert.delivered, alert.attempts, alert.error = delivery.ok, delivery.attempts, delivery.error
        await self._save(alert)

    def message(self, row: IncidentRow, kind: str, unacked: bool = False) -> tuple[str, str]:
        """Title and body of a page: what, how big, since when, samples, phrases, link."""
        what = SIGNAL_WORDS.get(row.signal, row.signal) + (f" about {row.topic}" if row.topic else "")
        ratio = row.peak_rate / row.baseline_rate if row.baseline_rate > 0 else float("inf")
        size = f"{row.peak_rate:g}/min vs {row.baseline_rate:g}/min usual" + (
            f" ({ratio:.1f}x)" if ratio != float("inf") else "")
        if kind == "resolve":
            title = f"[{row.brand}] all clear: {what} back to normal (incident #{row.id})"
        elif unacked:
            title = f"[{row.brand}] not acknowledged: {what} still elevated (incident #{row.id})"
        else:
            verb = "rising" if kind == "escalate" else "spike"
            title = f"[{row.brand}] severity {row.severity}/10 {what} {verb} (incident #{row.id})"
        lines = [f"What: {what}", f"How big: {size}, severity {row.severity}/10",
                 f"Since: {as_utc(row.started_at).isoformat()}"]
        if row.resolved_at:
            lines.append(f"Resolved: {as_utc(row.resolved_at).isoformat()}")
        topics = Counter(row.evidence.get("topics", {})).most_common(3)
        if topics:
            lines.append("Topics: " + ", ".join(f"{t} ({n})" for t, n in topics))
        if row.evidence.get("top_phrases"):
            lines.append("Top phrases: " + "; ".join(row.evidence["top_phrases"]))
        for sample in row.evidence.get("samples", [])[:3]:
            lines.append(f"- @{sample['handle']}: {sample['text'][:200]}")
        lines.append(f"Incident page: {self.base_url}/incidents/{row.id}")
        return title, "\n".join(lines)

    async def _draft(self, current: OpenIncident, phase: str, at: datetime) -> None:
        if not self.settings.status_posts.enabled:
            return
        row = current.row
        brand = self.settings.brand(row.brand)
        langs = Counter(row.evidence.get("langs", {}))
        allowed = brand.languages or ["en", "it"]
        lang = next((lang for lang, _n in langs.most_common() if lang in allowed), allowed[0])
        draft = self.drafter.draft(brand, phase, lang, row.topic, as_utc(row.started_at), at,
                                   as_utc(row.resolved_at) if row.resolved_at else None)
        await self._save(StatusPostRow(incident_id=row.id, phase=phase, state="pending_approval",
                                       lang=draft.lang, text=draft.text, created_at=at,
                                       problems=draft.problems))
