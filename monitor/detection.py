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
TOPIC_SEP = ":"  # "complaints:delivery": the complaints about one topic, a series of their own


def signals_for(cls: Classification) -> tuple[str, ...]:
    """The signals one classified mention counts towards (a complaint with a topic also counts under that topic)."""
    signals = ["volume"]
    if cls.label == "outage":
        signals += ["outage", "complaints"]
    elif cls.label == "complaint":
        signals.append("complaints")
        if cls.topic:
            signals.append(f"complaints{TOPIC_SEP}{cls.topic}")
    if cls.sentiment == "negative":
        signals.append("negative")
    return tuple(signals)


def family(signal: str) -> str:
    """The signal a series reports under: 'complaints' for 'complaints:delivery', else itself."""
    return signal.split(TOPIC_SEP, 1)[0]


class Detection:
    """Count classified mentions and judge every closed bucket of every series."""

    def __init__(self, settings: DetectorSettings, history: int = 180) -> None:
        self.settings = settings
        self.counter = BucketCounter(settings.bucket_seconds)
        self.monitors: dict[tuple[str, str], SignalMonitor] = {}
        self.series: dict[tuple[str, str], deque[tuple[str, int]]] = {}
        self.history = history
        self.enabled = set(settings.signals)
        self.brands: set[str] = set()
        self.open_series: dict[tuple[str, str], set[str]] = {}  # (brand, signal): its series with an open episode

    def add(self, brand: str, at: datetime, author: str, signals: tuple[str, ...]) -> None:
        """Count one mention under each of its signals."""
        self.counter.add_signals(brand, signals, at, author)
        if brand not in self.brands:  # every signal of a brand is reported from its first mention, silence included
            self.brands.add(brand)
            for signal in ALL_SIGNALS:
                if signal not in signals and (brand, signal) not in self.series:
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
            name = family(signal)
            if name not in self.enabled:
                continue
            monitor = self.monitors.get(key)
            if monitor is None:
                monitor = self.monitors[key] = SignalMonitor(self.settings.for_signal(name))
            for event in monitor.observe(start, count):
                merged = self._merge(brand, name, signal, event)
                if merged is not None:
                    events.append((brand, name, merged))
        return events

    def _merge(self, brand: str, name: str, signal: str, event: EpisodeEvent) -> EpisodeEvent | None:
        """One episode per signal family: the aggregate and its topic series open it once and resolve it together."""
        active = self.open_series.setdefault((brand, name), set())
        if event.kind == "open":
            first = not active
            active.add(signal)
            return event if first else EpisodeEvent("escalate", event.at, event.started_at, event.severity,
                                                    event.value, event.expected, event.peak)
        if event.kind == "resolve":
            if signal not in active:
                return None
            active.discard(signal)
            return None if active else event
        return event if signal in active else None

    def recent(self, brand: str, signal: str, buckets: int = 120) -> list[Any]:
        """The latest bucket counts of one series, oldest first."""
        return list(self.series.get((brand, signal), ()))[-buckets:]
