"""Live volume by signal for the cockpit: each brand's last hours in buckets, and the last hour's totals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.detection import stored_signals
from monitor.store import Store

SIGNALS = ("volume", "complaints", "outage", "negative")
HOURS = 3.0
BUCKET_SECONDS = 300


def brand_activity(store: Store, now: datetime, brands: Iterable[str], hours: float = HOURS,
                   bucket_seconds: int = BUCKET_SECONDS) -> list[dict[str, Any]]:
    """Per brand and signal: counts per bucket over the last `hours` up to `now` (each author once per bucket, the
    brand's own posts left out, as detection counts them) and the total of the last hour."""
    end = datetime.fromtimestamp((int(now.timestamp()) // bucket_seconds + 1) * bucket_seconds, UTC)
    buckets = max(1, round(hours * 3600 / bucket_seconds))
    starts = [end - timedelta(seconds=bucket_seconds * (buckets - i)) for i in range(buckets)]
    recent = max(1, round(3600 / bucket_seconds))
    out = []
    for brand in brands:
        counts = store.signal_counts(brand, starts[0], end, bucket_seconds, stored_signals)
        signals = {}
        for signal in SIGNALS:
            series = [(start.isoformat(), counts.get(signal, {}).get(start, 0)) for start in starts]
            signals[signal] = {"series": series, "last_hour": sum(n for _, n in series[-recent:])}
        out.append({"brand": brand, "signals": signals})
    return out
