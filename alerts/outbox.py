"""The idempotent outbox: approved status posts go out once per channel, surviving crashes and restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import object_session
from sqlmodel import Session

from alerts.drafts import TOPIC_WORDS
from alerts.outbox_plan import Planner, auto_publishes
from alerts.publishers import build_publishers
from alerts.publishers.base import PostInfo, Progress, PublishError, RateLimited
from monitor.clock import Clock, as_utc
from monitor.models import DeliveryPartRow, DeliveryRow, IncidentRow, StatusPostRow
from monitor.settings import Settings
from monitor.sources.backoff import Backoff
from monitor.store import Store

log = logging.getLogger(__name__)
OPEN_STATES = ("pending", "sending")
NEW_DRAFT = "outbox_new_draft"
_LISTENING: weakref.WeakSet[Outbox] = weakref.WeakSet()


@event.listens_for(StatusPostRow, "after_insert")
def _draft_inserted(_mapper: object, _connection: object, target: StatusPostRow) -> None:
    """Note on the session that a status post was written; the outboxes hear of it once it is committed."""
    session = object_session(target)
    if session is not None and target.state == "pending_approval":
        session.info[NEW_DRAFT] = True


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    """A committed new draft wakes every running outbox that auto-publishes (from any thread)."""
    if session.info.pop(NEW_DRAFT, False):
        for outbox in list(_LISTENING):
            outbox.wake_threadsafe()


class StoredProgress(Progress):
    """Progress that writes each mark to the database before the publisher goes on."""

    def __init__(self, outbox: Outbox, delivery: DeliveryRow, parts: list[DeliveryPartRow]) -> None:
        ids: list[str | None] = [None] * len(delivery.parts)
        uncertain: set[int] = set()
        for part in parts:
            if part.index < len(ids):
                ids[part.index] = part.external_id
                if part.external_id is None:
                    uncertain.add(part.index)
        super().__init__(len(delivery.parts), ids, uncertain)
        self.outbox, self.delivery_id = outbox, delivery.id

    async def sending(self, index: int) -> None:
        """Persist "this part's request may be on its way" before it is sent."""
        await super().sending(index)
        await asyncio.to_thread(self.outbox._mark, self.delivery_id, index, None, None)

    async def sent(self, index: int, external_id: str, url: str | None = None) -> None:
        """Persist the external id the moment it is known."""
        await super().sent(index, external_id, url)
        await asyncio.to_thread(self.outbox._mark, self.delivery_id, index, external_id, url)


@dataclass(slots=True)
class DeliveryView:
    """One channel's publishing state of a post, for pages and commands."""

    channel: str
    state: str
    attempts: int
    error: str | None
    parts: list[str]
    external_ids: list[str | None]
    urls: list[str | None]


class Outbox:
    """Publishes approved posts on their channels; each part's id is stored as soon as the network gives it."""

    def __init__(self, store: Store, settings: Settings, clock: Clock, publishers: dict[str, Any] | None = None
                 ) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self.publishers = publishers if publishers is not None else build_publishers(settings, clock)
        self.planner = Planner(settings, self.publishers)
        conf = settings.status_posts
        self.backoff = Backoff(clock, base=conf.retry_seconds, cap=conf.retry_max_seconds)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.auto = any(auto_publishes(s, settings) for s in conf.channels)
        self.rounds = 0  # background rounds finished, for status and tests

    def _session(self) -> Session:
        return Session(self.store.engine, expire_on_commit=False)

    # -- the database side (blocking, run in a thread) --------------------------------------------------------

    def _mark(self, delivery_id: int | None, index: int, external_id: str | None, url: str | None) -> None:
        with self._session() as session:
            part = session.get(DeliveryPartRow, (delivery_id, index))
            if part is None:
                part = DeliveryPartRow(delivery_id=delivery_id, index=index, at=self.clock.now())
            part.state = "sent" if external_id else "sending"
            part.external_id, part.url, part.at = external_id, url, self.clock.now()
            session.add(part)
            session.commit()

    def _plan(self) -> int:
        with self._session() as session:
            return self.planner.plan(session, self.clock.now())

    def _due(self) -> list[DeliveryRow]:
        """Open deliveries whose time has come, oldest first, each after the earlier posts of its incident."""
        now = self.clock.now()
        with self._session() as session:
            rows = list(session.scalars(select(DeliveryRow).where(DeliveryRow.state.in_(OPEN_STATES))  # type: ignore[attr-defined]
                                        .order_by(DeliveryRow.id)))  # type: ignore[arg-type]
        due, blocked = [], set()
        for row in rows:
            lane = (row.channel, row.incident_id)
            if lane in blocked:
                continue
            blocked.add(lane)
            if row.next_attempt_at is None or as_utc(row.next_attempt_at) <= now:
                due.append(row)
        return due

    def _next_wait(self) -> float | None:
        """Seconds until the earliest scheduled retry, or None when nothing is waiting."""
        with self._session() as session:
            times = list(session.scalars(select(DeliveryRow.next_attempt_at).where(
                DeliveryRow.state.in_(OPEN_STATES))))  # type: ignore[attr-defined]
        if not times:
            return None
        now = self.clock.now()
        return max(0.0, min((as_utc(t) - now).total_seconds() if t else 0.0 for t in times))

    def _context(self, delivery: DeliveryRow) -> tuple[list[DeliveryPartRow], PostInfo]:
        with self._session() as session:
            parts = list(session.scalars(select(DeliveryPartRow).where(DeliveryPartRow.delivery_id == delivery.id)))
            post = session.get(StatusPostRow, delivery.post_id)
            incident = session.get(IncidentRow, delivery.incident_id)
            earlier = [self._ids(session, row) for row in session.scalars(select(DeliveryRow).where(
                DeliveryRow.channel == delivery.channel, DeliveryRow.incident_id == delivery.incident_id,
                DeliveryRow.id < delivery.id, DeliveryRow.state == "published").order_by(DeliveryRow.id))]
            earlier = [ids for ids in earlier if ids]
        topic = TOPIC_WORDS["en"].get(incident.topic or "", "") if incident else ""
        brand = incident.brand if incident else "service"
        info = PostInfo(phase=post.phase if post else "update", lang=post.lang if post else "en",
                        title=f"{brand}: trouble with {topic}" if topic else f"{brand}: service disruption",
                        created_at=as_utc(delivery.created_at), previous=earlier[-1][0] if earlier else None,
                        state=incident.state if incident else "", reply_to=earlier[-1][-1] if earlier else None,
                        root=earlier[0][0] if earlier else None)
        return parts, info

    @staticmethod
    def _ids(session: Session, row: DeliveryRow) -> list[str]:
        """A published delivery's external ids, part by part."""
        parts = session.scalars(select(DeliveryPartRow).where(DeliveryPartRow.delivery_id == row.id)
                                .order_by(DeliveryPartRow.index))  # type: ignore[arg-type]
        return [p.external_id for p in parts if p.external_id]

    def _finish(self, delivery_id: int | None, state: str, error: str | None, retry_at: datetime | None,
                attempts: int) -> None:
        """Record one attempt's outcome; a final failure fails the post too, in the same transaction."""
        with self._session() as session:
            row = session.get(DeliveryRow, delivery_id)
            if row is None:
                return
            row.state, row.error, row.next_attempt_at, row.attempts = state, error, retry_at, attempts
            if state == "published":
                row.published_at = self.clock.now()
            session.add(row)
            post = session.get(StatusPostRow, row.post_id)
            if post is not None and state == "failed" and post.state == "approved":
                post.state = "failed"
                session.add(post)
            session.commit()

    def _settle(self) -> None:
        """Approved posts whose every delivery is published become published."""
        with self._session() as session:
            for post in session.scalars(select(StatusPostRow).where(StatusPostRow.state == "approved")):
                states = [d.state for d in session.scalars(select(DeliveryRow).where(DeliveryRow.post_id == post.id))]
                if states and all(s == "published" for s in states) and not self._missing(session, post):
                    post.state = "published"
                    session.add(post)
            session.commit()

    def _missing(self, session: Session, post: StatusPostRow) -> bool:
        from alerts.rules_of_engagement import channels_for

        incident = session.get(IncidentRow, post.incident_id)
        specs = channels_for(self.settings.status_posts, incident.brand if incident else "", post.lang)
        have = set(session.scalars(select(DeliveryRow.channel).where(DeliveryRow.post_id == post.id)))
        return any((s.name or s.type) not in have for s in specs if (s.name or s.type) in self.publishers)

    # -- the async side -----------------------------------------------------------------------------------------

    async def deliver(self, delivery: DeliveryRow) -> str:
        """One attempt at one delivery; returns its state afterwards."""
        publisher = self.publishers.get(delivery.channel)
        if publisher is None:
            log.warning("status post #%s: channel %s is no longer configured", delivery.post_id, delivery.channel)
            await asyncio.to_thread(self._finish, delivery.id, delivery.state, "channel not configured",
                                    self.clock.now() + timedelta(hours=1), delivery.attempts)
            return delivery.state
        parts, info = await asyncio.to_thread(self._context, delivery)
        progress = StoredProgress(self, delivery, parts)
        await asyncio.to_thread(self._finish, delivery.id, "sending", delivery.error, delivery.next_attempt_at,
                                delivery.attempts)
        try:
            await publisher.publish(list(delivery.parts), delivery.key, progress, info)
        except RateLimited as exc:
            log.info("%s rate-limited until %s", delivery.channel, exc.retry_at)
            retry_at = max(exc.retry_at or self.clock.now(), self.clock.now() + timedelta(seconds=1))
            await asyncio.to_thread(self._finish, delivery.id, "sending", exc.reason, retry_at, delivery.attempts)
            return "sending"
        except PublishError as exc:
            return await self._failed(delivery, exc.reason, exc.retry, exc.retry_at)
        except Exception as exc:  # a bug or an unexpected answer: keep the post, retry later
            log.exception("publishing status post #%s on %s", delivery.post_id, delivery.channel)
            reason = publisher.redact(f"{delivery.channel}: unexpected {type(exc).__name__}: {exc}") \
                if hasattr(publisher, "redact") else f"{delivery.channel}: unexpected {type(exc).__name__}"
            return await self._failed(delivery, reason, True, None)
        await asyncio.to_thread(self._finish, delivery.id, "published", None, None, delivery.attempts + 1)
        log.info("status post #%s published on %s", delivery.post_id, delivery.channel)
        return "published"

    async def _failed(self, delivery: DeliveryRow, reason: str, retry: bool, retry_at: datetime | None) -> str:
        attempts = delivery.attempts + 1
        if retry and attempts < self.settings.status_posts.max_attempts:
            self.backoff.failures = attempts - 1
            retry_at = retry_at or self.clock.now() + timedelta(seconds=self.backoff.next_delay())
            log.warning("status post #%s on %s: %s (attempt %d, retrying at %s)", delivery.post_id,
                        delivery.channel, reason, attempts, retry_at.isoformat())
            await asyncio.to_thread(self._finish, delivery.id, "sending", reason, retry_at, attempts)
            return "sending"
        log.error("status post #%s on %s failed: %s", delivery.post_id, delivery.channel, reason)
        await asyncio.to_thread(self._finish, delivery.id, "failed", reason, None, attempts)
        return "failed"

    async def run_once(self) -> int:
        """Plan new deliveries, attempt every due one, settle the posts; return how many were published."""
        await asyncio.to_thread(self._plan)
        published = 0
        for delivery in await asyncio.to_thread(self._due):
            published += await self.deliver(delivery) == "published"
        await asyncio.to_thread(self._settle)
        return published

    async def drain(self, rounds: int = 50) -> None:
        """Run until nothing is left to try, waiting on the clock for retries (for drills and tests)."""
        for _ in range(rounds):
            await self.run_once()
            wait = await asyncio.to_thread(self._next_wait)
            if wait is None:
                return
            await self.clock.sleep(wait)

    async def wake(self) -> None:
        """Look for newly approved posts now rather than at the next poll."""
        self._wake.set()

    def wake_threadsafe(self) -> None:
        """Wake the running outbox from any thread (a draft committed by a worker thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop is shutting down
                loop.call_soon_threadsafe(self._wake.set)

    async def start(self) -> None:
        """Resume what a previous run left half done, then keep publishing in the background."""
        if self._task is None:
            self._loop = asyncio.get_running_loop()
            if self.auto:  # a draft that may go out without approval goes out now, not at the next poll
                _LISTENING.add(self)
            self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Stop at once (what was sent is already stored) and release connections."""
        _LISTENING.discard(self)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for publisher in self.publishers.values():
            with contextlib.suppress(Exception):
                await publisher.close()

    async def _run(self) -> None:
        poll = self.settings.status_posts.poll_seconds
        while True:
            self._wake.clear()
            try:
                await self.run_once()
                wait = await asyncio.to_thread(self._next_wait)
                self.rounds += 1
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly unavailable: try again at the next poll
                log.exception("outbox round failed")
                wait = None
            waiters = [asyncio.ensure_future(self._wake.wait())]
            if wait is not None:
                waiters.append(asyncio.ensure_future(self.clock.sleep(wait)))
            try:
                await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    async def check(self) -> dict[str, str]:
        """Try each channel's credentials once: "ok: ..." or "FAIL: reason" per channel."""
        results: dict[str, str] = {}
        for name, publisher in self.publishers.items():
            try:
                results[name] = await publisher.check()
            except PublishError as exc:
                results[name] = f"FAIL: {exc.reason}"
        return results

    def deliveries(self, post_id: int) -> list[DeliveryView]:
        """Each channel's state for one post: attempts, last error, parts and their ids and links."""
        with self._session() as session:
            views = []
            for row in session.scalars(select(DeliveryRow).where(DeliveryRow.post_id == post_id)
                                       .order_by(DeliveryRow.id)):  # type: ignore[arg-type]
                parts = {p.index: p for p in session.scalars(select(DeliveryPartRow).where(
                    DeliveryPartRow.delivery_id == row.id))}
                views.append(DeliveryView(row.channel, row.state, row.attempts, row.error, list(row.parts),
                                          [parts[i].external_id if i in parts else None for i in range(len(row.parts))],
                                          [parts[i].url if i in parts else None for i in range(len(row.parts))]))
            return views
