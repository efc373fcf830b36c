"""After a restart: warm the open incidents' detectors and evidence from the store, then resume paging."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from monitor.detection import Detection, Warmed, stored_signals
from monitor.detectors.base import EpisodeEvent
from monitor.evidence import EvidenceBuffer, Sample
from monitor.incidents import IncidentManager
from monitor.store import Store, is_brand_post

log = logging.getLogger(__name__)
BACKFILL_HOURS = 6.0  # stored history replayed into a brand's detectors at start-up


def warm_detection(detection: Detection, store: Store, brands: Iterable[str], hours: float = BACKFILL_HOURS
                   ) -> dict[tuple[str, str], Warmed]:
    """Replay each brand's stored per-bucket counts through fresh detectors (their events were acted on before
    the restart), so baselines and open episodes carry on; the live counter resumes after the stored data."""
    brands = list(brands)
    if detection.counting():
        log.warning("detectors already counting; not warming them from the store")
        return {}
    latest = [t for t in (store.latest_mention_at(b) for b in brands) if t is not None]
    if not latest:
        return {}
    bucket = detection.settings.bucket_seconds
    end = datetime.fromtimestamp((int(max(latest).timestamp()) // bucket + 1) * bucket, UTC)
    out: dict[tuple[str, str], Warmed] = {}
    for brand in brands:
        counts = store.signal_counts(brand, end - timedelta(hours=hours), end, bucket, stored_signals)
        if not counts.get("volume"):
            continue
        for signal, state in detection.warm(brand, counts, end).items():
            out[(brand, signal)] = state
        log.info("warmed %s's detectors from its stored counts up to %s", brand, end.isoformat())
    return out


def warm_evidence(evidence: EvidenceBuffer, store: Store, brand: str, since: datetime) -> int:
    """Refill a brand's evidence buffer with its stored mentions since `since`; return how many."""
    rows = [(m, v) for m, v in store.recent_verdicts(brand, since, limit=evidence.size)
            if not is_brand_post(m.extra)]  # the public's voice only
    for mention, verdict in rows:
        sample = Sample(mention.created_at, mention.author_handle, mention.text[:500], verdict.topic,
                        verdict.lang, mention.url)
        evidence.remember(brand, stored_signals(verdict.label, verdict.sentiment, verdict.topic, verdict.recovery),
                          sample)
    return len(rows)


async def resume(incidents: IncidentManager, detection: Detection, store: Store) -> None:
    """Start-up after a stop or a crash: warm what the open incidents need, settle signals that calmed down
    while nothing watched, and send the pages that were written but never tried."""
    brands = sorted(incidents.open)
    if brands:
        warmed = await asyncio.to_thread(warm_detection, detection, store, brands)
        for brand in brands:
            current = incidents.open[brand]
            await asyncio.to_thread(warm_evidence, incidents.evidence, store, brand, current.row.started_at)
            for signal in sorted(current.active):
                state = warmed.get((brand, signal))
                if state is not None and state.episode_open:
                    continue  # the live detector will say when it is over
                at = (state.resolved_at or state.end) if state else incidents.clock.now()
                row = current.row
                event = EpisodeEvent("resolve", at, row.started_at, row.severity, 0.0, 0.0, 0.0)
                await incidents.on_event(brand, signal, event, detection.recent(brand, signal))
    sent = await incidents.resume()
    if brands or sent:
        log.info("resumed %d open incident(s); re-sent %d interrupted page(s)", len(brands), sent)
