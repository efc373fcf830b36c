"""Detector cost: mention events through the bucket counter and the seasonal baselines vs a naive recount.

Both sides see the same stream (three brands, a week, about 30 mentions a minute each, every mention counted
under two to four signals, authors deduplicated per bucket) and judge every closed one-minute bucket of every
series. Ours is `Detection` (BucketCounter + one SignalMonitor per series: seasonal baseline, window scan,
episodes). The naive one keeps every event in a list per series and, each minute, recounts the last hour of
buckets from those lists and judges the newest bucket by a mean/standard-deviation z-score.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.detection import ALL_SIGNALS, Detection
from monitor.settings import DetectorSettings

START = datetime(2026, 3, 2, tzinfo=UTC)
BRANDS = ("Acme", "Volta", "Orbit")
SIGNAL_SETS = (("volume",), ("volume", "complaints"), ("volume", "complaints", "negative"),
               ("volume", "outage", "complaints", "negative"))
SHARES = (0.25, 0.3, 0.4, 0.05)
Event = tuple[str, datetime, str, tuple[str, ...]]
TARGET = 100_000  # mention events a second


def stream(days: float = 7.0, per_minute: float = 30.0, seed: int = 5) -> list[list[Event]]:
    """Per minute, the mentions (brand, created_at, author, signals) of every brand, in time order."""
    rng = np.random.default_rng(seed)
    minutes = int(days * 1440)
    wave = 1.0 - 0.6 * np.cos(2 * np.pi * (np.arange(minutes) / 1440 - 3 / 24))
    out: list[list[Event]] = []
    for minute in range(minutes):
        base = START + timedelta(minutes=minute)
        batch: list[Event] = []
        for brand in BRANDS:
            n = int(rng.poisson(per_minute * wave[minute]))
            seconds = np.sort(rng.uniform(0, 60, n))
            authors = rng.integers(0, 50_000, n)
            kinds = rng.choice(len(SIGNAL_SETS), n, p=SHARES)
            batch += [(brand, base + timedelta(seconds=float(s)), f"x:{a}", SIGNAL_SETS[k])
                      for s, a, k in zip(seconds, authors, kinds, strict=True)]
        batch.sort(key=lambda e: e[1])
        out.append(batch)
    return out


def ours(minutes: list[list[Event]]) -> tuple[int, float, int]:
    """Feed `Detection` minute by minute; return (events, seconds, episode events)."""
    detection = Detection(DetectorSettings(signals=list(ALL_SIGNALS)))
    events = produced = 0
    started = time.process_time()
    for index, batch in enumerate(minutes):
        for brand, at, author, signals in batch:
            detection.add(brand, at, author, signals)
        events += len(batch)
        produced += len(detection.advance(START + timedelta(minutes=index + 1)))
    return events, time.process_time() - started, produced


def naive(minutes: list[list[Event]], history: int = 60, threshold: float = 4.0) -> tuple[int, float, int]:
    """Keep every event in a list per series; each minute recount the last hour of buckets and z-score the newest."""
    lists: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    events = alarms = 0
    started = time.process_time()
    for index, batch in enumerate(minutes):
        for brand, at, author, signals in batch:
            stamp = at.timestamp()
            for signal in signals:
                lists[(brand, signal)].append((stamp, author))
        events += len(batch)
        end = (START + timedelta(minutes=index + 1)).timestamp()
        begin = end - history * 60
        for items in lists.values():
            buckets: dict[int, set[str]] = defaultdict(set)
            for stamp, author in items:
                if begin <= stamp < end:
                    buckets[int((stamp - begin) // 60)].add(author)
            counts = [len(buckets.get(i, ())) for i in range(history)]
            past = counts[:-1]
            spread = statistics.pstdev(past) or 1.0
            alarms += (counts[-1] - statistics.fmean(past)) / spread > threshold
    return events, time.process_time() - started, alarms


def run(days: float = 2.0) -> dict[str, Any]:
    """Measure both on the same stream and return the figures (mention events per second)."""
    minutes = stream(days)
    ours_events, ours_seconds, _ = ours(minutes)
    naive_events, naive_seconds, _ = naive(minutes[: len(minutes) // 8])  # slow: an eighth of the stream is plenty
    mine, theirs = ours_events / ours_seconds, naive_events / naive_seconds
    verdict = "meets" if mine >= TARGET else "misses"
    return {"name": f"detector (bucket counting + seasonal baselines), one core ({verdict} the {TARGET:,} events/s "
                    "target)",
            "input": f"{ours_events:,} mention events, {len(BRANDS)} brands x 4 signals, {days:g} days",
            "ours": f"{mine:,.0f} events/s", "baseline": f"{theirs:,.0f} events/s (per-minute recount of lists)",
            "ratio": mine / theirs, "events_per_second": mine}


if __name__ == "__main__":
    result = run()
    print(f"{result['name']}: ours {result['ours']}, baseline {result['baseline']}, ratio {result['ratio']:.1f}x")
    print(f"target >= {TARGET:,} events/s:", "met" if result["events_per_second"] >= TARGET else "missed",
          f"({math.floor(result['events_per_second']):,})")
