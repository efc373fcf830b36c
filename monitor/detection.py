"""Per brand and per signal counting in buckets, fed to one causal SignalMonitor per series."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any

from classifiers.base import Classification
from monitor.detectors.base import EpisodeEvent
from monitor.detectors.counter import BucketCounter
from monitor.detectors.tracker import SignalMonitor
from monitor.settings import DetectorSettings

ALL_SIGNALS = ("outage", "complaints", "negative", "volume")


def signals_for(cls: Classification) -> tuple[str, ...]:
    """The signals one classified mention counts towards."""
    signals = ["volume"]
    if cls.label == "outage":
        signals += ["outage", "complaints"]
    elif cls.label == "complaint":
        signals.append("complaints")
    if cls.sentiment == "negative":
        signals.append("negative")
    return tuple(signals)


class Detection:
    """Count classified mentions and judge every closed bucket of every series."""

    def __init__(self, settings: DetectorSettings, history: int = 180) -> None:
        self.settings = settings
        self.counter = BucketCounter(settings.bucket_seconds)
        self.monitors: dict[tuple[str, str], SignalMonitor] = {}
        self.series: dict[tuple[str, str], deque[tuple[str, int]]] = {}
        self.history = history
        self.enabled = set(settings.signals)

    def add(self, brand: str, at: datetime, author: str, signals: tuple[str, ...]) -> None:
        """Count one mention under each of its signals."""
        for signal in ALL_SIGNALS:
            if signal in signals:
                self.counter.add(brand, signal, at, author)
            elif (brand, signal) not in self.series:
                self.counter.register(brand, signal, at)
                self.series[(brand, signal)] = deque(maxlen=self.history)

    def advance(self, now: datetime) -> list[tuple[str, str, EpisodeEvent]]:
        """Close every bucket ended by `now` and return the episode events they produce."""
        events: list[tuple[str, str, EpisodeEvent]] = []
        for brand, signal, start, count in self.counter.close_until(now):
            key = (brand, signal)
            series = self.series.get(key)
            if series is None:
                series = self.series[key] = deque(maxlen=self.history)
            series.append((start.isoformat(), count))
            if signal not in self.enabled:
                continue
            monitor = self.monitors.get(key)
            if monitor is None:
                monitor = self.monitors[key] = SignalMonitor(self.settings)
            events.extend((brand, signal, event) for event in monitor.observe(start, count))
        return events

    def recent(self, brand: str, signal: str, buckets: int = 120) -> list[Any]:
        """The latest bucket counts of one series, oldest first."""
        return list(self.series.get((brand, signal), ()))[-buckets:]
