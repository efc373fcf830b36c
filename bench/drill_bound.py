"""How soon any detector could page on the large-brand drill: Page's CUSUM, knowing the rates, on the stored labels.

The oracle reads the drill's own classified outage reports (each author once a minute, as the pipeline counts them)
and knows what no real detector knows: where the outage's reports go (its topic, and reports naming no topic) and
their rates before the onset (counted over the two hours before it). It sums, report by report, the log-likelihood
ratio of "topic reports x TOPIC_SHIFT and topic-less ones x PLAIN_SHIFT" against "as before", so it pages at the
report that crosses its threshold, as the detector does. Reports naming another topic tell it nothing.

The threshold is set for a false-alarm budget, not on the outage: the average run length between false pages of
the statistic on the pre-onset rates (a Markov chain over the statistic's values, solved exactly) is one false page
per series in each of BUDGET_DAYS. Page's CUSUM is the quickest test of a step of known size at a given false-alarm
rate (Lorden; Moustakides), so at the same budget no detector pages sooner in the worst case; on a ramp it is a
yardstick for the median, not a proof.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

TOPIC_SHIFT = 10.0   # the outage's extra reports (4x the brand's) land mostly on one topic, a tenth of the reports
PLAIN_SHIFT = 2.0    # ... and a share on reports that name no topic ("is Acme down?")
BUDGET_DAYS = (180.0, 365.0, 1095.0)  # one false page per series in half a year, a year, three years
BEFORE_MINUTES = 120  # the rates are counted over this long before the onset
AFTER_MINUTES = 30    # the oracle looks this long after the onset
STATES = 600          # resolution of the statistic in the Markov chain


def run_length(streams: list[tuple[float, float]], threshold: float) -> float:
    """Average minutes before the CUSUM of Poisson `streams` ((rate a minute, shift) each) first reaches
    `threshold` when nothing changed: the statistic drifts down between reports and jumps by log(shift) at each."""
    drift = sum((shift - 1.0) * rate for rate, shift in streams)
    unit = threshold / STATES            # the statistic's step ...
    step = unit / drift                  # ... is the drift of this many minutes
    jumps = [max(1, round(math.log(shift) / unit)) for _, shift in streams]
    chances = [-math.expm1(-rate * step) for rate, _ in streams]
    chain = np.zeros((STATES, STATES))
    for state in range(STATES):
        down = max(0, state - 1)
        chain[state, down] += 1.0 - sum(chances)
        for jump, chance in zip(jumps, chances, strict=True):
            if down + jump < STATES:
                chain[state, down + jump] += chance
    steps = np.linalg.solve(np.eye(STATES) - chain, np.ones(STATES))
    return float(steps[0]) * step


def threshold_for(streams: list[tuple[float, float]], minutes: float) -> float:
    """The lowest threshold whose average run length without a change is at least `minutes` (bisection)."""
    low, high = 0.5, 60.0
    for _ in range(24):
        middle = (low + high) / 2.0
        low, high = (low, middle) if run_length(streams, middle) >= minutes else (middle, high)
    return high


def reports(db: Path, brand: str, topic: str, start: datetime) -> tuple[dict[str, float], list[tuple[float, str]]]:
    """Rates a minute before the onset of reports on `topic` ("topic") and naming none ("plain"), and the reports
    after it as (minutes since onset, kind), each author once a minute per kind."""
    lo, hi = start - timedelta(minutes=BEFORE_MINUTES), start + timedelta(minutes=AFTER_MINUTES)
    rows = sqlite3.connect(db).execute(
        "SELECT m.created_at, m.author_id, c.topic FROM mentions m JOIN classifications c ON c.mention_id = m.id "
        "WHERE m.brand = ? AND c.label = 'outage' AND m.created_at >= ? AND m.created_at < ? ORDER BY m.created_at",
        (brand, _stored(lo), _stored(hi))).fetchall()
    seen: set[tuple[str, str, str]] = set()
    before = {"topic": 0.0, "plain": 0.0}
    after: list[tuple[float, str]] = []
    for at, author, named in rows:
        kind = "topic" if named == topic else "plain" if named is None else None
        if kind is None or (str(at)[:16], author, kind) in seen:
            continue
        seen.add((str(at)[:16], author, kind))
        minutes = (datetime.fromisoformat(str(at)).replace(tzinfo=start.tzinfo) - start).total_seconds() / 60.0
        if minutes < 0:
            before[kind] += 1.0 / BEFORE_MINUTES
        else:
            after.append((minutes, kind))
    return before, after


def _stored(at: datetime) -> str:
    """A time as the store writes it in SQLite (naive UTC), for comparing in SQL."""
    return at.replace(tzinfo=None).isoformat(sep=" ")


def onset_bound(db: Path, brand: str, topic: str, start: datetime) -> dict[float, float | None]:
    """Per false-alarm budget (days per false page): minutes from the onset to the oracle's page, None if never."""
    before, after = reports(db, brand, topic, start)
    shifts = {"topic": TOPIC_SHIFT, "plain": PLAIN_SHIFT}
    streams = [(max(before[kind], 1.0 / BEFORE_MINUTES), shifts[kind]) for kind in shifts]
    drift = sum((shift - 1.0) * rate for rate, shift in streams)
    paged: dict[float, float | None] = {}
    for days in BUDGET_DAYS:
        threshold = threshold_for(streams, days * 1440.0)
        statistic, last, paged[days] = 0.0, 0.0, None
        for minutes, kind in after:
            statistic = max(0.0, statistic - drift * (minutes - last)) + math.log(shifts[kind])
            last = minutes
            if statistic >= threshold:
                paged[days] = minutes
                break
    return paged
