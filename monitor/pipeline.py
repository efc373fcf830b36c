"""The bounded async pipeline: sources -> queue -> classify -> store -> detect -> incidents."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import OperationalError

from classifiers.base import Classification, Classifier
from monitor.brands import BrandMatcher
from monitor.clock import Clock, SimulatedClock
from monitor.detection import Detection, signals_for
from monitor.detectors.base import EpisodeEvent
from monitor.evidence import EvidenceBuffer
from monitor.incidents import IncidentManager
from monitor.mention import Mention, Rejected
from monitor.store import BRAND_POSTS, Store, is_brand_post
from monitor.workers import Classify

log = logging.getLogger(__name__)
_DONE = object()
Sorted = tuple[list[tuple[Mention, str]], list[Classification]]  # a batch's brand mentions and their verdicts


@dataclass
class Progress:
    """How far the tries of one batch got: rejects set aside, which mentions were new, how many were counted."""

    set_aside: bool = False
    fresh: list[int] | None = None
    counted: int = 0


@dataclass
class Stats:
    """What the pipeline has seen so far."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    rejected: int = 0
    by_label: Counter[str] = field(default_factory=Counter)
    rejects: list[dict[str, str]] = field(default_factory=list)
    last_event: datetime | None = None


class Pipeline:
    """One consumer keeps event order: batches are classified off the loop, stored, then detected."""

    def __init__(self, store: Store, classifier: Classifier, matcher: BrandMatcher, detection: Detection,
                 incidents: IncidentManager, evidence: EvidenceBuffer, clock: Clock,
                 queue_size: int = 10_000, batch_size: int = 1024,
                 on_batch: Callable[[int], None] | None = None, classify: Classify | None = None,
                 in_flight: int = 1) -> None:
        self.store, self.classifier, self.matcher = store, classifier, matcher
        self.detection, self.incidents, self.evidence, self.clock = detection, incidents, evidence, clock
        self.queue: asyncio.Queue[object] = asyncio.Queue(maxsize=queue_size)
        self.batch_size = batch_size
        self.classify: Classify = classify or self._local  # or on the workers (monitor.workers)
        self.in_flight = in_flight
        self.stats = Stats()
        self.on_batch = on_batch
        self.event_time = isinstance(clock, SimulatedClock)
        self._events: deque[tuple[str, str, EpisodeEvent, list[Any]]] = deque()  # not yet applied to incidents
        self._reacting = asyncio.Lock()
        self.retry_seconds = 0.5  # first wait before retrying a batch the database refused (doubling up to 30 s)
        self._put = 0
        self._finished = 0
        self._progress = asyncio.Condition()

    async def emit(self, record: Mention | Rejected) -> None:
        """Hand one record to the pipeline; waits when the queue is full (backpressure)."""
        await self.queue.put(record)
        self._put += 1

    async def settled(self) -> None:
        """Wait until every record emitted before this call has been stored or set aside."""
        target = self._put
        async with self._progress:
            await self._progress.wait_for(lambda: self._finished >= target)

    async def close(self) -> None:
        """Tell the consumer that no more records will come."""
        await self.queue.put(_DONE)

    async def consume(self) -> None:
        """Process batches until close() is called: up to `in_flight` are classified at once (on workers), and
        each is stored and detected in intake order."""
        done = False
        ahead: deque[tuple[list[Mention | Rejected], int, asyncio.Task[Sorted]]] = deque()
        while not done or ahead:
            while not done and len(ahead) < self.in_flight and (not ahead or not self.queue.empty()):
                batch = [await self.queue.get()]
                while len(batch) < self.batch_size and not self.queue.empty():
                    batch.append(self.queue.get_nowait())
                taken = len(batch)
                if batch[-1] is _DONE:
                    batch.pop()
                    done = True
                records: list[Mention | Rejected] = [r for r in batch if r is not _DONE]  # type: ignore[misc]
                ahead.append((records, taken, asyncio.create_task(self._sorted(records))))
            records, taken, classifying = ahead.popleft()
            try:
                await self._process_safely(records, classifying)
            finally:
                for _ in range(taken):
                    self.queue.task_done()
                async with self._progress:
                    self._finished += len(records)
                    self._progress.notify_all()

    async def _process_safely(self, batch: list[Mention | Rejected], classifying: asyncio.Task[Sorted]) -> None:
        """Retry a batch while the database is unreachable, each try going on from where the last one stopped
        (nothing accepted is lost, nothing is set aside or counted twice); set it aside on a bug."""
        delay = self.retry_seconds
        progress = Progress()
        while True:
            try:
                await self._apply(batch, *await classifying, progress)
                return
            except OperationalError as exc:
                log.error("database unavailable, batch of %d kept, retrying in %.1f s: %s", len(batch), delay,
                          str(exc).splitlines()[0])
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
            except Exception as exc:
                log.exception("batch of %d failed; setting it aside", len(batch))
                reason = f"internal error: {type(exc).__name__}: {exc}"
                kept = [Rejected(f"{m.source}:{m.id}", reason, m.text[:200]) for m in batch
                        if isinstance(m, Mention)]
                self.stats.rejected += len(kept)
                await asyncio.to_thread(self.store.save_rejects, "pipeline", kept, self.clock.now())
                return

    async def process(self, batch: list[Mention | Rejected]) -> None:
        """Classify, store and detect one batch; rejected records are set aside with their reason."""
        await self._apply(batch, *await self._sorted(batch), Progress())

    async def _sorted(self, batch: list[Mention | Rejected]) -> Sorted:
        """The batch's brand mentions (each once) and their verdicts; may run ahead of the batches before it."""
        mentions: list[tuple[Mention, str]] = []
        seen: set[tuple[str, str]] = set()
        for record in batch:
            if isinstance(record, Rejected):
                continue
            self.stats.received += 1
            brand = self.matcher.match(record)
            if brand is None:
                self.stats.unmatched += 1
            elif record.key in seen:
                self.stats.duplicates += 1
            else:
                seen.add(record.key)
                mentions.append((record, brand))
        if not mentions:
            return mentions, []
        return mentions, await self.classify([m.text for m, _ in mentions], [m.lang for m, _ in mentions])

    async def _local(self, texts: list[str], hints: list[str | None]) -> list[Classification]:
        """Classify in this process, off the event loop."""
        return await asyncio.to_thread(self.classifier.classify_batch, texts, hints)

    async def _set_aside(self, batch: list[Mention | Rejected]) -> None:
        """Keep the batch's rejected records with their reasons (counted once they are saved)."""
        rejects = [r for r in batch if isinstance(r, Rejected)]
        if not rejects:
            return
        await asyncio.to_thread(self.store.save_rejects, "intake", rejects, self.clock.now())
        self.stats.rejected += len(rejects)
        self.stats.rejects.extend(r.to_json() for r in rejects[: max(0, 1000 - len(self.stats.rejects))])
        for r in rejects:
            log.warning("set aside %s: %s", r.location, r.reason)

    async def _apply(self, batch: list[Mention | Rejected], mentions: list[tuple[Mention, str]],
                     verdicts: list[Classification], progress: Progress) -> None:
        """Set the rejects aside, then store and detect the classified mentions (in intake order), going on from
        `progress`, where an earlier try of the same batch stopped."""
        if not progress.set_aside:
            await self._set_aside(batch)
            progress.set_aside = True
        if mentions:
            await self._handle(mentions, verdicts, progress)
        if self.on_batch:
            self.on_batch(len(batch))

    async def _handle(self, mentions: list[tuple[Mention, str]], verdicts: list[Classification],
                      progress: Progress) -> None:
        items = [(m, b, c) for (m, b), c in zip(mentions, verdicts, strict=True)]
        if progress.fresh is None:
            progress.fresh = await asyncio.to_thread(self.store.save_batch, items)
            self.stats.duplicates += len(items) - len(progress.fresh)
            self.stats.stored += len(progress.fresh)
        while progress.counted < len(progress.fresh):
            mention, brand, cls = items[progress.fresh[progress.counted]]
            progress.counted += 1
            if is_brand_post(mention.extra):
                self.stats.by_label[BRAND_POSTS] += 1
                continue  # the brand's own posts are kept (response times) but are not the public's voice
            self.stats.by_label[cls.label] += 1
            signals = signals_for(cls)
            self.detection.add(brand, mention.created_at, f"{mention.source}:{mention.author.id}", signals)
            self.evidence.record(brand, signals, mention, cls)
            if self.event_time:  # a replay comes in big batches: judge as each mention arrives, as live
                await self._judge(mention.created_at, len(progress.fresh), tick=False)
        latest = max(m.created_at for m, _ in mentions)
        self.stats.last_event = max(latest, self.stats.last_event or latest)
        await self._judge(self.stats.last_event, len(progress.fresh), tick=True)

    async def _judge(self, at: datetime, stored: int, tick: bool) -> None:
        """Advance detection (on a simulated clock, to `at` first) and let incidents react; a bug there is logged,
        never raised: the mentions are stored."""
        if self.event_time:
            self.clock.set(at)  # type: ignore[attr-defined]  # it never goes backwards
        try:
            if tick:
                await self.advance(self.clock.now())
                return
            await self._react(self.clock.now())
        except OperationalError:
            raise
        except Exception:
            log.exception("detection or incident handling failed after storing %d mentions", stored)

    async def advance(self, now: datetime) -> None:
        """Judge every closed bucket and let incidents react; also called by the daemon's ticker."""
        await self._react(now)
        await self.incidents.tick(now)

    async def _react(self, now: datetime) -> None:
        """Hand the detector's new events to the incidents, oldest first. One the database refused stays first in
        line for the next try (the detector has moved on and will not say it again): none is lost."""
        async with self._reacting:  # the ticker and the consumer both come here: each event is applied once
            self._events.extend((brand, signal, event, self.detection.recent(brand, signal))
                                for brand, signal, event in self.detection.advance(now))
            while self._events:
                try:
                    await self.incidents.on_event(*self._events[0])
                except OperationalError:
                    raise
                except Exception:
                    self._events.popleft()  # a bug: retrying it would block every later event
                    raise
                self._events.popleft()
