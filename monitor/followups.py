"""Status-post drafts that follow an incident: each state change, severity changes and promised updates."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime, timedelta

from alerts.approval import Approvals
from alerts.drafts import Drafter
from monitor.clock import Clock, as_utc
from monitor.models import IncidentRow, StatusPostRow
from monitor.settings import Settings
from monitor.store import Store

log = logging.getLogger(__name__)


class Followups:
    """Ask the drafter for the post each moment needs and keep the promised next-update time on the incident."""

    def __init__(self, store: Store, drafter: Drafter, settings: Settings, clock: Clock) -> None:
        self.store, self.drafter, self.settings = store, drafter, settings
        self.approvals = Approvals(store, settings, clock)

    def language(self, row: IncidentRow) -> str:
        """The audience's language: the most common one in the evidence that the brand speaks."""
        brand = self.settings.brand(row.brand)
        allowed = brand.languages or ["en", "it"]
        langs = Counter(row.evidence.get("langs", {}))
        return next((lang for lang, _n in langs.most_common() if lang in allowed), allowed[0])

    async def draft(self, row: IncidentRow, phase: str, at: datetime, severity: int | None = None,
                    previous_severity: int | None = None) -> bool:
        """Draft the post for `phase` (left pending approval); True when the next-update time moved."""
        if not self.settings.status_posts.enabled:
            return False
        minutes = self.settings.status_posts.next_update_minutes
        next_update = None if phase == "resolved" else as_utc(at) + timedelta(minutes=minutes)
        extra: dict[str, object] = {}
        if phase == "update":
            extra = {"severity": severity if severity is not None else row.severity,
                     "previous_severity": previous_severity if previous_severity is not None else row.severity}
        try:
            draft = self.drafter.draft(self.settings.brand(row.brand), phase, self.language(row), row.topic,
                                       as_utc(row.started_at), as_utc(at),
                                       as_utc(row.resolved_at) if row.resolved_at else None, minutes, **extra)
        except LookupError as exc:  # no template for this phase: the incident goes on without the draft
            log.warning("no %s draft for incident %s: %s", phase, row.id, exc)
            return False
        await asyncio.to_thread(self.store.add, StatusPostRow(
            incident_id=row.id, phase=phase, state="pending_approval", lang=draft.lang, text=draft.text,
            created_at=at, problems=draft.problems))
        await asyncio.to_thread(self.approvals.expire_stale)  # the incident's older drafts are no longer on offer
        changed = row.next_update_at != next_update
        row.next_update_at = next_update
        return changed

    async def when_due(self, row: IncidentRow, now: datetime) -> bool:
        """Draft the promised update when its time has come; True when the incident row changed."""
        if row.next_update_at is None or row.resolved_at is not None or now < as_utc(row.next_update_at):
            return False
        drafted = await self.draft(row, "update", now, row.severity, row.severity)
        if not drafted:  # no template or drafting disabled: do not ask again on every tick
            row.next_update_at = None
        return True
