"""Which deliveries an approved (or auto-publishable) status post needs, with keys and thread parts fixed once."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from alerts.rules_of_engagement import channels_for, lint_post
from alerts.textlength import network_limit
from alerts.threads import ThreadError, split_thread
from monitor.models import AuditRow, DeliveryRow, IncidentRow, StatusPostRow
from monitor.settings import ChannelSettings, Settings

log = logging.getLogger(__name__)
SYSTEM = "system"


def channel_name(spec: ChannelSettings) -> str:
    """A channel's name: the configured one, else its type."""
    return spec.name or spec.type


def auto_publishes(spec: ChannelSettings, settings: Settings) -> bool:
    """Whether drafts that pass the linter go out on this channel without a human approval."""
    return spec.auto_publish if spec.auto_publish is not None else settings.status_posts.auto_publish


def thread_parts(text: str, spec: ChannelSettings, publisher: Any, settings: Settings) -> list[str]:
    """The text as this channel will carry it: one post, or numbered parts within its limit."""
    if not getattr(publisher, "threads", True):
        return [text]
    override = getattr(getattr(publisher, "config", None), "max_chars", None)
    rule = network_limit(spec.type, override)
    return split_thread(text, rule.limit, rule.measure, settings.status_posts.max_thread_parts)


class Planner:
    """Turns approved posts (and auto-publishable drafts) into delivery rows; blocking, run in a thread."""

    def __init__(self, settings: Settings, publishers: dict[str, Any]) -> None:
        self.settings, self.publishers = settings, publishers

    def plan(self, session: Session, now: datetime) -> int:
        """Create the missing deliveries; return how many were created."""
        created = 0
        auto = any(auto_publishes(s, self.settings) for s in self.settings.status_posts.channels)
        states = ["approved", "pending_approval"] if auto else ["approved"]
        posts = session.scalars(select(StatusPostRow).where(
            StatusPostRow.state.in_(states))  # type: ignore[attr-defined]
            .order_by(StatusPostRow.id))  # type: ignore[arg-type]
        newest = dict(session.execute(select(StatusPostRow.incident_id, func.max(StatusPostRow.id))
                                      .group_by(StatusPostRow.incident_id)).all())
        for post in list(posts):
            incident = session.get(IncidentRow, post.incident_id)
            brand = self.settings.brand(incident.brand if incident else "")
            specs = channels_for(self.settings.status_posts, brand.name, post.lang)
            have = {d.channel: d for d in session.scalars(select(DeliveryRow).where(DeliveryRow.post_id == post.id))}
            if post.state == "approved":
                chosen, approver = specs, "approval"
                for delivery in have.values():
                    if delivery.state == "failed":  # approved again after a failure: try once more
                        delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
                        delivery.error = None
                        session.add(delivery)
            else:
                if newest.get(post.incident_id) != post.id or post.problems:
                    continue  # superseded by a newer draft, or the linter found problems: a human decides
                chosen = [s for s in specs if auto_publishes(s, self.settings) and channel_name(s) not in have
                          and not lint_post(post.text, post.lang, s, self.settings.status_posts, brand, post.phase)]
                approver = SYSTEM
                if chosen and len(chosen) + len(have) == len(specs):
                    post.state = "approved"  # every channel auto-publishes: the system approves it
                    session.add(post)
                if chosen:
                    session.add(AuditRow(at=now, actor=SYSTEM, action="auto_publish", post_id=post.id,
                                         incident_id=post.incident_id, after=post.text,
                                         detail="auto-publish on " + ", ".join(channel_name(s) for s in chosen)))
            for spec in chosen:
                name = channel_name(spec)
                if name in have or name not in self.publishers:
                    continue
                session.add(self._delivery(post, spec, approver, now))
                created += 1
        session.commit()
        return created

    def _delivery(self, post: StatusPostRow, spec: ChannelSettings, approver: str, now: datetime) -> DeliveryRow:
        name = channel_name(spec)
        row = DeliveryRow(post_id=post.id, incident_id=post.incident_id, channel=name, network=spec.type,
                          key=f"bm-{post.id}-{uuid.uuid4().hex[:20]}", approved_by=approver, created_at=now,
                          next_attempt_at=now)
        try:
            row.parts = thread_parts(post.text, spec, self.publishers[name], self.settings)
        except ThreadError as exc:
            row.parts, row.state, row.error = [post.text], "failed", f"{name}: {exc}"
            log.warning("status post #%s cannot go to %s: %s", post.id, name, exc)
        return row
