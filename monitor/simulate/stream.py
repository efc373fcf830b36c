"""The mention stream of a scenario, minute by minute, in created_at order and deterministic for a seed."""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np

from monitor.simulate.brands import BrandSpec
from monitor.simulate.compose import Composer, new_state
from monitor.simulate.events import TruthEvent
from monitor.simulate.rates import INTENTS, plan_rates


def iter_mentions(name: str, seed: int, start: datetime, minutes: int, brands: list[BrandSpec],
                  events: list[TruthEvent]) -> Iterator[dict[str, Any]]:
    """Yield every mention of the scenario: counts from the rate plans, then one composed mention each."""
    salt = zlib.crc32(name.encode())
    counts_rng = np.random.default_rng([seed, salt])
    rng = random.Random(f"{name}:{seed}:stream")
    composer = Composer(rng)
    states, plans, counts = [], [], []
    for brand in brands:
        own = [(i, e) for i, e in enumerate(events) if e.brand == brand.name]
        plan = plan_rates(brand, start, minutes, own, counts_rng)
        plans.append(plan)
        counts.append(plan.counts(counts_rng))
        states.append(new_state(brand, rng))
    origin_ms = round(start.timestamp() * 1000)
    for minute in range(minutes):
        items: list[tuple[int, int, str, int | None]] = []
        for b, plan in enumerate(plans):
            row = counts[b][minute]
            for k, intent in enumerate(INTENTS):
                for _ in range(int(row[k])):
                    at = rng.randrange(60_000)
                    items.append((at, b, intent, plan.event_of(intent, minute, rng.random(), rng.random())))
        items.sort(key=lambda item: item[0])
        base_ms = origin_ms + minute * 60_000
        for at, b, intent, index in items:
            event = events[index] if index is not None else None
            yield composer.mention(states[b], intent, event, index, base_ms + at)
        for state in states:
            state.flush()
