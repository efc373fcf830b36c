"""Ground-truth events (outages, campaigns): their random draw, placement in time and intensity shape."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np

from monitor.simulate.constants import (
    INCIDENT_MINUTES_QUANTILES,
    OUTAGE_DECAY_MINUTES,
    OUTAGE_MAX_MINUTES,
    OUTAGE_MIN_MINUTES,
    OUTAGE_PEAK_RANGE,
    OUTAGE_RAMP_MINUTES,
)

CAMPAIGN_VOLUME_RANGE = (3.0, 6.0)
SURGE_RANGE = (2.0, 4.0)  # a complaint surge: the brand's complaints at this multiple, all the extra on one topic


@dataclass(slots=True)
class TruthEvent:
    """What really happened: an outage (service broken from start to end) or a campaign (promo running)."""

    kind: str
    brand: str
    start: datetime
    end: datetime
    peak: float
    topic: str | None = None
    hashtag: str | None = None
    ramp_minutes: float = 5.0
    decay_minutes: float = 7.0

    @property
    def minutes(self) -> float:
        """Length from start to end, in minutes."""
        return (self.end - self.start).total_seconds() / 60

    def to_json(self) -> dict[str, Any]:
        """The ground-truth record written beside a generated file."""
        return {"kind": self.kind, "brand": self.brand, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "minutes": round(self.minutes, 1), "peak": round(self.peak, 2),
                "topic": self.topic, "hashtag": self.hashtag, "ramp_minutes": round(self.ramp_minutes, 1),
                "decay_minutes": round(self.decay_minutes, 1)}

    def shape(self, origin: datetime, n: int) -> np.ndarray:
        """Intensity in [0, 1] for each minute since `origin` (ramp, plateau that fades, exponential decay)."""
        t = np.arange(n) + 0.5 - (self.start - origin).total_seconds() / 60
        length, ramp = self.minutes, max(self.ramp_minutes, 0.5)
        fade = 0.3 if self.kind == "outage" else 0.15
        out = np.zeros(n)
        rising = (t >= 0) & (t < ramp)
        out[rising] = t[rising] / ramp
        plateau = (t >= ramp) & (t < length)
        out[plateau] = 1 - fade * (t[plateau] - ramp) / max(length - ramp, 1)
        after = t >= length
        out[after] = (1 - fade) * np.exp(-(t[after] - length) / self.decay_minutes)
        out[out < 0.005] = 0
        return out

    def recovery(self, origin: datetime, n: int) -> np.ndarray:
        """After an outage: a short wave of 'it works again' posts, peaking 5 minutes after the fix."""
        t = np.arange(n) + 0.5 - (self.end - origin).total_seconds() / 60
        return np.clip(np.where(t < 5, t / 5, 1 - (t - 5) / 25), 0, 1)


def _cdf(minutes: float) -> float:
    table = INCIDENT_MINUTES_QUANTILES
    for (p0, q0), (p1, q1) in pairwise(table):
        if minutes <= q1:
            return p0 + (p1 - p0) * (math.log(max(minutes, q0)) - math.log(q0)) / (math.log(q1) - math.log(q0))
    return 1.0


def _quantile(p: float) -> float:
    table = INCIDENT_MINUTES_QUANTILES
    for (p0, q0), (p1, q1) in pairwise(table):
        if p <= p1:
            return math.exp(math.log(q0) + (p - p0) / (p1 - p0) * (math.log(q1) - math.log(q0)))
    return table[-1][1]


def outage_minutes(rng: random.Random) -> float:
    """An incident duration from the real distribution, truncated to the outage range."""
    return _quantile(rng.uniform(_cdf(OUTAGE_MIN_MINUTES), _cdf(OUTAGE_MAX_MINUTES)))


def place(rng: random.Random, span: float, need: float, windows: list[tuple[float, float]],
          fallback: tuple[float, float]) -> float:
    """A start minute: uniform in the first window where `need` minutes fit, else in a fraction of the span."""
    latest = span - need
    for lo, hi in windows:
        hi = min(hi, latest)
        if hi >= lo >= 0:
            return rng.uniform(lo, hi)
    lo, hi = fallback[0] * span, min(fallback[1] * span, latest)
    return rng.uniform(lo, hi) if hi >= lo else max(0.0, latest / 2)


def day_windows(span: float, days: list[int], hours: tuple[float, float], earliest: float = 0.0
                ) -> list[tuple[float, float]]:
    """Start-minute windows at the given hours of the given days (0 = the first day), never before `earliest`."""
    last = math.ceil(span / 1440) - 1
    out = []
    for day in days:
        day = last + 1 + day if day < 0 else day
        if 0 <= day <= last:
            out.append((max(day * 1440 + hours[0] * 60, earliest), day * 1440 + hours[1] * 60))
    return out


def make_outage(rng: random.Random, brand: str, topics: tuple[str, ...], origin: datetime, span: float,
                windows: list[tuple[float, float]], fallback: tuple[float, float] = (0.55, 0.9)) -> TruthEvent:
    """Draw an outage (duration from real incidents, peak, topic, ramp, decay) and place it."""
    minutes = min(outage_minutes(rng), max(10.0, span * 0.4))
    ramp, decay = rng.uniform(*OUTAGE_RAMP_MINUTES), rng.uniform(*OUTAGE_DECAY_MINUTES)
    peak = math.exp(rng.uniform(*(math.log(x) for x in OUTAGE_PEAK_RANGE)))
    at = place(rng, span, minutes + 5 * decay, windows, fallback)
    start = origin + timedelta(minutes=round(at))
    return TruthEvent("outage", brand, start, start + timedelta(minutes=round(minutes)), peak,
                      topic=rng.choice(topics), ramp_minutes=ramp, decay_minutes=decay)


def make_campaign(rng: random.Random, brand: str, hashtag: str, origin: datetime, span: float,
                  windows: list[tuple[float, float]], hours: tuple[float, float],
                  fallback: tuple[float, float] = (0.2, 0.5)) -> TruthEvent:
    """Draw a campaign (length in hours, volume multiple, ramp, decay) and place it."""
    minutes = min(rng.uniform(*hours) * 60, max(20.0, span * 0.3))
    ramp, decay = rng.uniform(30, 60), rng.uniform(45, 75)
    volume = rng.uniform(*CAMPAIGN_VOLUME_RANGE)
    at = place(rng, span, minutes + 2 * decay, windows, fallback)
    start = origin + timedelta(minutes=round(at))
    return TruthEvent("campaign", brand, start, start + timedelta(minutes=round(minutes)), volume,
                      hashtag=hashtag, ramp_minutes=min(ramp, minutes / 2), decay_minutes=decay)


def make_surge(rng: random.Random, brand: str, topics: tuple[str, ...], origin: datetime, span: float,
               windows: list[tuple[float, float]], fallback: tuple[float, float] = (0.5, 0.8)) -> TruthEvent:
    """Draw a complaint surge about one topic (late deliveries, a billing error): 1-4 hours, complaints x 2-4."""
    minutes = min(rng.uniform(60, 240), max(30.0, span * 0.3))
    ramp, decay = rng.uniform(10, 30), rng.uniform(15, 30)
    at = place(rng, span, minutes + 3 * decay, windows, fallback)
    start = origin + timedelta(minutes=round(at))
    return TruthEvent("surge", brand, start, start + timedelta(minutes=round(minutes)), rng.uniform(*SURGE_RANGE),
                      topic=rng.choice(topics), ramp_minutes=min(ramp, minutes / 2), decay_minutes=decay)
