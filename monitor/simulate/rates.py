"""Per-minute expected mention rates per brand and intent: weekly rhythm, daily level, events, gamma noise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from monitor.simulate.brands import BrandSpec
from monitor.simulate.constants import BASE_MIX, DAY_LOG_SD, GAMMA_SHAPE_5MIN, HOUR_OF_WEEK
from monitor.simulate.events import TruthEvent

INTENTS: tuple[str, ...] = tuple(BASE_MIX)
PROFILE = np.array(HOUR_OF_WEEK)
# During an outage, on top of outage reports rising to `peak` times their baseline: angry complaints add this
# share of the extra outage reports, praise falls by up to 30%, and "works again" chatter follows the fix.
OUTAGE_COMPLAINT_SHARE = 0.25
OUTAGE_PRAISE_DROP = 0.3
RECOVERY_SHARE = 0.12
# A campaign's extra volume ((multiple - 1) x the usual volume) splits into praise, chatter and questions.
CAMPAIGN_SPLIT = {"praise": 0.5, "other": 0.4, "question": 0.1}


@dataclass
class RatePlan:
    """Expected mentions per minute for one brand: in total without events, and per intent with events."""

    base: np.ndarray
    rates: dict[str, np.ndarray]
    extra: dict[str, list[tuple[int, np.ndarray]]] = field(default_factory=dict)

    def counts(self, rng: np.random.Generator) -> np.ndarray:
        """Draw counts (minutes x intents): Poisson around the rates times a gamma factor per 5 minutes."""
        n = len(self.base)
        blocks = rng.gamma(GAMMA_SHAPE_5MIN, 1 / GAMMA_SHAPE_5MIN, n // 5 + 1)
        noise = np.repeat(blocks, 5)[:n]
        lam = np.stack([self.rates[i] * noise for i in INTENTS], axis=1)
        return rng.poisson(lam)

    def event_of(self, intent: str, minute: int, u: float, v: float) -> int | None:
        """Which event (index) a mention of `intent` in `minute` is due to, or None for background traffic."""
        extras = self.extra.get(intent)
        total = self.rates[intent][minute]
        if not extras or total <= 0:
            return None
        parts = [(index, float(arr[minute])) for index, arr in extras if arr[minute] > 0]
        share = sum(p for _, p in parts)
        if share <= 0 or u >= share / total:
            return None
        pick = v * share
        for index, part in parts:
            pick -= part
            if pick <= 0:
                return index
        return parts[-1][0]


def weekly_profile(brand: BrandSpec, origin: datetime, n: int) -> np.ndarray:
    """The hour-of-week profile at each minute, linearly interpolated between hour centres."""
    first = origin.weekday() * 24 + origin.hour + origin.minute / 60 + brand.utc_shift_hours
    hours = first + (np.arange(n) + 0.5) / 60 - 0.5
    low = np.floor(hours).astype(int)
    frac = hours - low
    return PROFILE[low % 168] * (1 - frac) + PROFILE[(low + 1) % 168] * frac


def day_level(rng: np.random.Generator, origin: datetime, n: int) -> np.ndarray:
    """A slowly varying day-to-day level (lognormal per day, mean 1, interpolated between noons)."""
    offset = origin.hour * 60 + origin.minute
    days = (offset + n) // 1440 + 2
    level = np.exp(rng.normal(0, DAY_LOG_SD, days) - DAY_LOG_SD**2 / 2)
    position = (np.arange(n) + offset) / 1440 - 0.5
    return np.interp(position, np.arange(days), level)


def plan_rates(brand: BrandSpec, origin: datetime, n: int, events: list[tuple[int, TruthEvent]],
               rng: np.random.Generator) -> RatePlan:
    """Expected rates per intent for one brand, with its events' effects layered on the baseline."""
    base = brand.daily_volume / 1440 * weekly_profile(brand, origin, n) * day_level(rng, origin, n)
    rates = {intent: base * share for intent, share in BASE_MIX.items()}
    plan = RatePlan(base, rates, {intent: [] for intent in INTENTS})
    for index, event in events:
        shape = event.shape(origin, n)
        if event.kind == "outage":
            gain = event.peak - 1
            outage = base * BASE_MIX["outage"] * gain * shape
            complaint = outage * OUTAGE_COMPLAINT_SHARE
            recovery = base * BASE_MIX["outage"] * gain * RECOVERY_SHARE * event.recovery(origin, n)
            rates["praise"] = rates["praise"] * (1 - OUTAGE_PRAISE_DROP * shape)
            for intent, extra in (("outage", outage), ("complaint", complaint), ("other", recovery)):
                rates[intent] = rates[intent] + extra
                plan.extra[intent].append((index, extra))
        elif event.kind == "surge":  # complaints about one topic (the composer writes them on event.topic)
            extra = base * BASE_MIX["complaint"] * (event.peak - 1) * shape
            rates["complaint"] = rates["complaint"] + extra
            plan.extra["complaint"].append((index, extra))
        elif event.kind == "campaign":
            total = base * (event.peak - 1) * shape
            for intent, share in CAMPAIGN_SPLIT.items():
                rates[intent] = rates[intent] + total * share
                plan.extra[intent].append((index, total * share))
    return plan
