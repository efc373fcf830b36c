"""Pages that survive a restart: written with a de-duplication key before they are sent, outcome after.

An alert row is the page's whole state: the targets it goes to (chosen when it is written), each target's
outcome, the attempts so far, when the next attempt is due and the last error. A target that took the
page is never sent it again; the others are retried with backoff until `retry_attempts` rounds.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from alerts.notifier import Notifier
from monitor.clock import Clock, as_utc
from monitor.models import AlertRow, IncidentRow
from monitor.settings import AlertSettings
from monitor.sources.backoff import Backoff
from monitor.store import Store

log = logging.getLogger(__name__)
RECHECK = timedelta(seconds=60)  # look for pending alerts written elsewhere (say, by the CLI) this often
LEASE = timedelta(minutes=2)     # a page being sent is nobody else's to retry for this long


def dedupe_key(incident_id: int | None, name: str) -> str:
    """The key that makes a page unique: one incident, one step (`open`, `severity-6`, `unacked`, ...)."""
    return f"incident-{incident_id}:{name}"


class Pager:
    """Write each page before sending it, record each outcome, retry on a schedule kept in the database."""

    def __init__(self, store: Store, notifier: Notifier, settings: AlertSettings, clock: Clock,
                 rng: random.Random | None = None) -> None:
        self.store, self.notifier, self.settings, self.clock = store, notifier, settings, clock
        self.rng = rng or random.Random()
        self._next_check: datetime | None = None  # None: look at the database on the next call
        self._retrying = asyncio.Lock()  # the consumer and the ticker both tick: one retry pass at a time

    async def page(self, incident: IncidentRow, name: str, kind: str, title: str, body: str, notify_type: str,
                   targets: list[str], at: datetime) -> AlertRow | None:
        """Write the page (once per key: None when it was already written) and try to deliver it."""
        row = await asyncio.to_thread(self._write, incident, name, kind, title, body, notify_type, targets, at)
        if row is None:
            return None
        return await self.deliver(row)

    def _write(self, incident: IncidentRow, name: str, kind: str, title: str, body: str, notify_type: str,
               targets: list[str], at: datetime) -> AlertRow | None:
        key = dedupe_key(incident.id, name)
        if self.store.alert_by_key(key) is not None:
            return None
        with self.store.engine.connect() as conn:
            step = conn.execute(select(func.count()).select_from(AlertRow).where(
                AlertRow.incident_id == incident.id, AlertRow.kind == kind)).scalar_one()
        row = AlertRow(incident_id=incident.id, kind=kind, step=step, severity=incident.severity, at=at,
                       title=title, body=body, dedupe_key=key, status="pending", notify_type=notify_type,
                       next_attempt_at=self.clock.now() + LEASE, delivered=False, attempts=0,
                       targets={t: {"ok": False, "attempts": 0, "error": None} for t in targets})
        try:
            return self.store.add(row)
        except IntegrityError:  # written a moment ago by another process: that one sends it
            return None

    async def deliver(self, row: AlertRow, now: datetime | None = None) -> AlertRow:
        """One round: every target that has not taken the page yet gets one attempt; then save the outcome."""
        targets: dict[str, Any] = {k: dict(v) for k, v in (row.targets or {}).items()}
        waiting = [k for k, v in targets.items() if not v.get("ok")]
        outcomes = await asyncio.gather(*(self.notifier.attempt(k, row.title, row.body, row.notify_type or "warning")
                                          for k in waiting))
        now = now or self.clock.now()
        for key, (ok, error) in zip(waiting, outcomes, strict=True):
            targets[key] = {"ok": ok, "attempts": int(targets[key].get("attempts", 0)) + 1, "error": error,
                            "at": now.isoformat()}
        failed = {k: v["error"] for k, v in targets.items() if not v.get("ok")}
        row.targets = targets
        row.attempts += 1
        if not targets:
            failed = {"(none)": "no alert target matches this incident"}
        row.error = "; ".join(f"{k}: {e}" for k, e in failed.items()) or None
        if not failed:
            row.status, row.delivered, row.delivered_at, row.next_attempt_at = "delivered", True, now, None
        elif not targets or row.attempts >= self.settings.retry_attempts:
            row.status, row.next_attempt_at = "failed", None
            log.error("alert %s not delivered after %d attempts: %s", row.dedupe_key, row.attempts, row.error)
        else:
            row.next_attempt_at = now + timedelta(seconds=self._delay(row.attempts))
            log.warning("alert %s not delivered (attempt %d), next at %s: %s", row.dedupe_key, row.attempts,
                        row.next_attempt_at.isoformat(), row.error)
            self._next_check = min(self._next_check or row.next_attempt_at, row.next_attempt_at)
        return await asyncio.to_thread(self.store.add, row)

    def _delay(self, attempts: int) -> float:
        """Seconds before the next round: exponential from retry_backoff_seconds, capped, with jitter."""
        backoff = Backoff(self.clock, self.settings.retry_backoff_seconds, self.settings.retry_backoff_max_seconds,
                          rng=self.rng)
        backoff.failures = attempts - 1
        return backoff.next_delay()

    async def retry_due(self, now: datetime) -> int:
        """Deliver every pending page whose next attempt is due; return how many rounds were run."""
        async with self._retrying:
            if self._next_check is not None and now < self._next_check:
                return 0
            pending = await asyncio.to_thread(self.store.undelivered_alerts)
            due = [r for r in pending if r.next_attempt_at is None or as_utc(r.next_attempt_at) <= now]
            for row in due:
                await self.deliver(row, now)
            later = [as_utc(r.next_attempt_at) for r in pending if r.next_attempt_at is not None
                     and as_utc(r.next_attempt_at) > now]
            self._next_check = min([*later, now + RECHECK])
            return len(due)

    async def resume(self) -> int:
        """At start-up: send pages a previous process wrote but never tried; the rest keep their schedule."""
        async with self._retrying:
            pending = await asyncio.to_thread(self.store.undelivered_alerts)
            fresh = [r for r in pending if r.attempts == 0]
            for row in fresh:
                log.info("re-sending alert %s written before a restart", row.dedupe_key)
                await self.deliver(row)
            self._next_check = None
            return len(fresh)

    async def alerts(self, incident_id: int) -> list[AlertRow]:
        """The incident's alerts in order."""
        return await asyncio.to_thread(self.store.alerts_for, incident_id)
