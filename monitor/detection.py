"""Per brand and per signal counting in buckets, fed to one causal SignalMonitor per series."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from classifiers.base import Classification
from monitor.detectors.base import EpisodeEvent
from monitor.detectors.counter import BucketCounter
from monitor.detectors.level import CommonLevel
from monitor.detectors.tracker import Episode, SignalMonitor
from monitor.settings import DetectorSettings

ALL_SIGNALS = ("outage", "complaints", "negative", "volume")
TOPIC_SEP = ":"  # "complaints:delivery": the complaints about one topic, a series of their own
RECOVERY = "recovery"  # people saying it works again: never opens anything, helps an outage episode end


def signals_for(cls: Classification) -> tuple[str, ...]:
    """The signals one classified mention counts towards (a complaint with a topic also counts under that topic)."""
    signals = ["volume"]
    if cls.label == "outage":
        signals += ["outage", "complaints"]
        if cls.topic:
            signals.append(f"outage{TOPIC_SEP}{cls.topic}")
    elif cls.label == "complaint":
        signals.append("complaints")
        if cls.topic:
            signals.append(f"complaints{TOPIC_SEP}{cls.topic}")
    if cls.sentiment == "negative":
        signals.append("negative")
    if cls.recovery:
        signals.append(RECOVERY)
    return tuple(signals)


def stored_signals(label: str, sentiment: str, topic: str | None = None, recovery: bool = False) -> tuple[str, ...]:
    """`signals_for` from a stored verdict's columns (what `Store.signal_counts` asks for)."""
    return signals_for(Classification(label, sentiment, "und", topic, recovery=recovery))


def _recovery(name: str, count: int) -> int:
    """The recovery reports a series of family `name` hears: only outage reports end on the public's word."""
    return count if name == "outage" else 0


def family(signal: str) -> str:
    """The signal a series reports under: 'complaints' for 'complaints:delivery', else itself."""
    return signal.split(TOPIC_SEP, 1)[0]


@dataclass(slots=True)
class Warmed:
    """Where one signal of a brand stands after its stored history was replayed."""

    episode_open: bool
    resolved_at: datetime | None  # end of the last episode that closed during the replay
    end: datetime                 # the first bucket the live counter reports


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
        self.changed: set[tuple[str, tuple[str, ...]]] = set()  # (brand, signals) counted since the last advance
        self.early: dict[tuple[str, str], tuple[datetime, Episode]] = {}  # opened while their bucket filled
        self.levels: dict[str, CommonLevel] = {}  # per brand: how busy its mentions other than outage reports are

    def add(self, brand: str, at: datetime, author: str, signals: tuple[str, ...]) -> None:
        """Count one mention under each of its signals."""
        self.counter.add_signals(brand, signals, at, author)
        self.changed.add((brand, signals))
        if brand not in self.brands:  # every signal of a brand is reported from its first mention, silence included
            self.brands.add(brand)
            for signal in ALL_SIGNALS:
                if signal not in signals and (brand, signal) not in self.series:
                    self.counter.register(brand, signal, at)
                    self.series[(brand, signal)] = deque(maxlen=self.history)

    def advance(self, now: datetime) -> list[tuple[str, str, EpisodeEvent]]:
        """Close every bucket ended by `now` and return the episode events they produce, then the openings that
        the buckets still filling already make certain (paged at `now`, not at their bucket's end)."""
        events: list[tuple[str, str, EpisodeEvent]] = []
        closed = self.counter.close_until(now)
        recovered = {(brand, start): count for brand, signal, start, count in closed if signal == RECOVERY}
        levels = self._levels(closed)
        for brand, signal, start, count in closed:
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
            scale = levels.get((brand, start), 1.0) if monitor.settings.common_level else 1.0
            observed = monitor.observe(start, count, _recovery(name, recovered.get((brand, start), 0)), scale)
            early = self.early.pop(key, None)
            if early is not None:  # its opening went out while the bucket filled: hold it, do not repeat it
                if not any(event.kind == "open" for event in observed):
                    monitor.adopt(early[1])
                observed = [event for event in observed if event.kind != "open"]
            for event in observed:
                merged = self._merge(brand, name, signal, event)
                if merged is not None:
                    events.append((brand, name, merged))
        return events + self._open_early(now)

    def _levels(self, closed: list[tuple[str, str, datetime, int]]) -> dict[tuple[str, datetime], float]:
        """Each closed bucket's common level per brand, from its mentions other than outage reports."""
        totals: dict[tuple[str, datetime], int] = {}
        for brand, signal, start, count in closed:
            if signal in ("volume", "outage"):
                totals[(brand, start)] = totals.get((brand, start), 0) + (count if signal == "volume" else -count)
        return {(brand, start): self.level(brand).update(start, max(0, other))
                for (brand, start), other in sorted(totals.items(), key=lambda item: item[0][1])}

    def level(self, brand: str) -> CommonLevel:
        """The brand's common level tracker."""
        tracker = self.levels.get(brand)
        if tracker is None:
            tracker = self.levels[brand] = CommonLevel(self.settings)
        return tracker

    def _open_early(self, now: datetime) -> list[tuple[str, str, EpisodeEvent]]:
        """Open the episodes that the counts so far of the buckets still filling already decide: a bucket only
        gains counts, so the page need not wait for its end (one series per family: the first to decide)."""
        events: list[tuple[str, str, EpisodeEvent]] = []
        changed = sorted({(brand, signal) for brand, signals in self.changed for signal in signals})
        self.changed = set()
        for key in changed:
            brand, signal = key
            name = family(signal)
            monitor = self.monitors.get(key)
            if monitor is None or name not in self.enabled or self.open_series.get((brand, name)):
                continue
            filling = self.counter.filling(brand, signal)
            scale = self.level(brand).value if monitor.settings.common_level else 1.0
            found = None if filling is None else monitor.peek(*filling, scale)
            if filling is None or found is None:
                continue
            event, episode = found
            event.at = max(now, filling[0])
            self.early[key] = (filling[0], episode)
            merged = self._merge(brand, name, signal, event)
            if merged is not None:
                events.append((brand, name, merged))
        return events

    def counting(self) -> bool:
        """Whether any series is counted or known yet (warming is only for a fresh Detection)."""
        return bool(self.counter.series_keys() or self.series)

    def warm(self, brand: str, counts: Mapping[str, Mapping[datetime, int]], end: datetime) -> dict[str, Warmed]:
        """Replay a brand's stored per-bucket counts (signal -> bucket start -> count) up to `end` into fresh monitors.

        The episode events of the replay were acted on before, so none is returned: open episodes carry on (and
        resolve later through `advance`), and each signal family says whether it is open and when it last ended.
        Live counting resumes at `end`; a mention older than that counts in the first open bucket.
        """
        step = timedelta(seconds=self.settings.bucket_seconds)
        starts = sorted({start for series in counts.values() for start in series})
        starts = [starts[0] + i * step for i in range(int((end - starts[0]) / step))] if starts else []
        resolved: dict[str, datetime] = {}
        volume, outage = counts.get("volume", {}), counts.get("outage", {})
        levels = [self.level(brand).update(t, max(0, volume.get(t, 0) - outage.get(t, 0))) for t in starts]
        for signal in [*ALL_SIGNALS, *sorted(set(counts) - set(ALL_SIGNALS))]:
            series = counts.get(signal, {})
            dense = [(t, series.get(t, 0)) for t in starts]
            self.series[(brand, signal)] = deque(((t.isoformat(), n) for t, n in dense), maxlen=self.history)
            name = family(signal)
            if name not in self.enabled:
                continue
            monitor = self.monitors[(brand, signal)] = SignalMonitor(self.settings.for_signal(name))
            recovered = counts.get(RECOVERY, {})
            common = monitor.settings.common_level
            for (t, n), scale in zip(dense, levels, strict=True):
                for event in monitor.observe(t, n, _recovery(name, recovered.get(t, 0)), scale if common else 1.0):
                    if event.kind == "resolve":
                        resolved[name] = max(resolved.get(name, event.at), event.at)
            if monitor.episode is not None and monitor.episode.opened:
                self.open_series.setdefault((brand, name), set()).add(signal)
        self.brands.add(brand)  # its series are known: `add` need not register them
        self.counter.close_until(end)
        for signal in ALL_SIGNALS:
            self.counter.register(brand, signal, end)
        return {name: Warmed(bool(self.open_series.get((brand, name))), resolved.get(name), end)
                for name in ALL_SIGNALS if name in self.enabled}

    def _merge(self, brand: str, name: str, signal: str, event: EpisodeEvent) -> EpisodeEvent | None:
        """One episode per signal family: its first series to open opens it, and it resolves when every series that
        opened is calm again, or as soon as the aggregate (which counts every topic) is."""
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
            if signal == name:  # the aggregate is calm: its topics' leftovers do not hold the episode open
                for topic in active:
                    self.monitors[(brand, topic)].end()
                active.clear()
            return None if active else event
        return event if signal in active else None

    def recent(self, brand: str, signal: str, buckets: int = 120) -> list[Any]:
        """The latest bucket counts of one series, oldest first."""
        return list(self.series.get((brand, signal), ()))[-buckets:]
