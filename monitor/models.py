"""SQLModel tables: every mention, verdict, incident, alert and post, auditable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Dialect, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from monitor.clock import as_utc


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC."""
        return as_utc(value) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back aware UTC."""
        return as_utc(value) if value is not None else None


def _ts(**kwargs: Any) -> Any:
    return Field(sa_column=Column(UtcDateTime(), **kwargs))


class AuthorRow(SQLModel, table=True):
    """A person who mentioned a brand, per source."""

    __tablename__ = "authors"
    source: str = Field(primary_key=True, max_length=32)
    author_id: str = Field(primary_key=True, max_length=128)
    handle: str = Field(index=True, max_length=256)
    name: str | None = Field(default=None, max_length=256)
    followers: int | None = None


class MentionRow(SQLModel, table=True):
    """One stored mention; (source, external_id) is unique so replays never duplicate."""

    __tablename__ = "mentions"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_mention_source_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    external_id: str = Field(max_length=128)
    brand: str = Field(index=True, max_length=128)
    created_at: datetime = _ts(nullable=False, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author_id: str = Field(max_length=128)
    author_handle: str = Field(max_length=256)
    lang: str | None = Field(default=None, max_length=16)
    url: str | None = None
    in_reply_to: str | None = Field(default=None, max_length=128)
    is_repost: bool = False
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ClassificationRow(SQLModel, table=True):
    """The classifier's verdict on one mention."""

    __tablename__ = "classifications"
    mention_id: int = Field(primary_key=True, foreign_key="mentions.id")
    label: str = Field(index=True, max_length=16)
    sentiment: str = Field(max_length=16)
    lang: str = Field(max_length=16)
    topic: str | None = Field(default=None, max_length=64)
    model: str = Field(max_length=128)
    scores: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recovery: bool = False  # says the service works again after a problem


class IncidentRow(SQLModel, table=True):
    """A spike judged to be a problem: its lifecycle and the evidence kept."""

    __tablename__ = "incidents"
    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(index=True, max_length=128)
    signal: str = Field(max_length=32)
    state: str = Field(default="investigating", max_length=16)
    severity: int = 1
    topic: str | None = Field(default=None, max_length=64)
    started_at: datetime = _ts(nullable=False)
    opened_at: datetime = _ts(nullable=False, index=True)
    resolved_at: datetime | None = _ts(nullable=True)
    acknowledged_at: datetime | None = _ts(nullable=True)
    acknowledged_by: str | None = Field(default=None, max_length=128)
    peak_rate: float = 0.0
    baseline_rate: float = 0.0
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    calm_since: datetime | None = _ts(nullable=True)
    identified_at: datetime | None = _ts(nullable=True)
    identified_by: str | None = Field(default=None, max_length=128)
    identified_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    next_update_at: datetime | None = _ts(nullable=True)
    timeline: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class AlertRow(SQLModel, table=True):
    """One on-call page for one incident step, with its delivery outcome."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "step", name="uq_alert_step"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incidents.id", index=True)
    kind: str = Field(max_length=16)
    step: int = 0
    severity: int = 1
    at: datetime = _ts(nullable=False)
    title: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    delivered: bool = False
    attempts: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    dedupe_key: str | None = Field(default=None, max_length=160, unique=True, index=True)
    status: str | None = Field(default=None, max_length=16)
    notify_type: str | None = Field(default=None, max_length=16)
    next_attempt_at: datetime | None = _ts(nullable=True)
    delivered_at: datetime | None = _ts(nullable=True)
    targets: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class StatusPostRow(SQLModel, table=True):
    """A public status post: drafted, then approved by a human before it is published."""

    __tablename__ = "status_posts"
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incidents.id", index=True)
    phase: str = Field(max_length=16)
    state: str = Field(default="pending_approval", max_length=24)
    lang: str = Field(max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts(nullable=False)
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class RejectedRow(SQLModel, table=True):
    """An input set aside because it could not be accepted, kept for inspection."""

    __tablename__ = "rejected_inputs"
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    location: str = Field(max_length=512)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    raw: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = _ts(nullable=False)


class SourceCursorRow(SQLModel, table=True):
    """A source's persisted high-water mark (since_id, cursor, timestamp), so a restart resumes, not rewinds."""

    __tablename__ = "source_cursors"
    source: str = Field(primary_key=True, max_length=128)
    key: str = Field(primary_key=True, max_length=256)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = _ts(nullable=False)


class AuditRow(SQLModel, table=True):
    """Who did what and when to a status post or an incident, with the text before and after."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False, index=True)
    actor: str = Field(max_length=128)
    action: str = Field(max_length=24)
    post_id: int | None = Field(default=None, index=True)
    incident_id: int | None = Field(default=None, index=True)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class PostApprovalRow(SQLModel, table=True):
    """One approval step given to one revision of a status post; an edit starts a new revision."""

    __tablename__ = "post_approvals"
    __table_args__ = (UniqueConstraint("post_id", "revision", "step", name="uq_approval_step"),
                      UniqueConstraint("post_id", "revision", "approver", name="uq_approval_user"))
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="status_posts.id", index=True)
    revision: int = 0
    step: int = 1
    approver: str = Field(max_length=128)
    at: datetime = _ts(nullable=False)


class DeliveryRow(SQLModel, table=True):
    """One approved status post on one channel: its idempotency key, thread parts and publishing outcome."""

    __tablename__ = "post_deliveries"
    __table_args__ = (UniqueConstraint("post_id", "channel", name="uq_delivery_channel"),)
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="status_posts.id", index=True)
    incident_id: int = Field(index=True)
    channel: str = Field(max_length=64)
    network: str = Field(max_length=32)
    key: str = Field(max_length=128, unique=True)
    state: str = Field(default="pending", max_length=16)
    parts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    approved_by: str = Field(default="", max_length=128)
    attempts: int = 0
    next_attempt_at: datetime | None = _ts(nullable=True)
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _ts(nullable=False)
    published_at: datetime | None = _ts(nullable=True)


class DeliveryPartRow(SQLModel, table=True):
    """One thread part of a delivery: marked before its request is sent, its external id kept once known."""

    __tablename__ = "post_delivery_parts"
    delivery_id: int = Field(foreign_key="post_deliveries.id", primary_key=True)
    index: int = Field(primary_key=True)
    state: str = Field(default="sending", max_length=16)
    external_id: str | None = Field(default=None, max_length=512)
    url: str | None = Field(default=None, max_length=1024)
    at: datetime = _ts(nullable=False)
