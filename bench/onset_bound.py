"""How soon a detector could page on bench_onset's series: two oracle CUSUMs, run on the very same counts.

Page's CUSUM is, in the worst case, the quickest test of a step of known size at a given false-alarm rate (Lorden;
Moustakides). Both oracles know what no real detector knows: the true expected count of every minute without the
outage, and that the outage multiplies it by exactly PEAK. They sum the log-likelihood ratio of "PEAK x" against "as
expected" report by report, so they page at the report that crosses the threshold, as the detector does. The
threshold is the highest value the statistic reaches over the same quiet month the detector runs, so neither opens
anything there.

- `level`: also knows each five minutes' gamma level, so only the Poisson noise is left.
- `bursts`: knows the gamma model of the level but not its draw, and where the five-minute blocks start; within a
  block the reports so far are judged together as one negative-binomial count.

Our detector knows none of this: it learns the baseline and its over-dispersion. The first oracle's median is about
the best any detector could do on these counts; the second is a yardstick, not a floor (CUSUM's optimality is for
the worst case of a step, not the median of a ramp).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from bench.bench_onset import LEVEL_SHAPE, ONSET, PEAK, draw

BLOCK = 5  # minutes of one gamma level


def _reports(counts: np.ndarray, rng: np.random.Generator) -> Iterator[tuple[int, list[float]]]:
    """(minute, sorted arrival times within it) for every minute: reports at uniform random times."""
    for minute, n in enumerate(counts):
        yield minute, sorted(rng.random(int(n)).tolist())


def level_cusum(expected: np.ndarray, counts: np.ndarray, threshold: float, rng: np.random.Generator,
                after: float = 0.0) -> tuple[float, float | None]:
    """(highest statistic, time of the first report from minute `after` on that crosses `threshold`, or None):
    Poisson CUSUM; `expected` includes the level. An earlier crossing is a false alarm: the statistic restarts."""
    jump, highest, s = math.log(PEAK), 0.0, 0.0
    for minute, times in _reports(counts, rng):
        drift, last = (PEAK - 1.0) * expected[minute], 0.0
        for at in times:
            s = max(0.0, s - drift * (at - last)) + jump
            last = at
            if s > threshold:
                if minute + at >= after:
                    return s, minute + at
                s = 0.0
            highest = max(highest, s)
        s = max(0.0, s - drift * (1.0 - last))
    return highest, None


def _block_ratio(count: int, mean: float) -> float:
    """log P(count | PEAK x mean) - log P(count | mean), both negative binomial with the level's shape."""
    k = LEVEL_SHAPE
    return count * math.log(PEAK * (k + mean) / (k + PEAK * mean)) + k * math.log((k + mean) / (k + PEAK * mean))


def burst_cusum(expected: np.ndarray, counts: np.ndarray, threshold: float, rng: np.random.Generator,
                after: float = 0.0) -> tuple[float, float | None]:
    """(highest statistic, time of the first report from minute `after` on that crosses `threshold`, or None):
    CUSUM over five-minute blocks; `expected` leaves the level out, and the series starts at a block's start."""
    highest, s, seen, mean = 0.0, 0.0, 0, 0.0
    for minute, times in _reports(counts, rng):
        for at in times:
            seen += 1
            value = s + _block_ratio(seen, mean + expected[minute] * at)
            if value > threshold:
                if minute + at >= after:
                    return value, minute + at
                s, seen, mean = 0.0, 0, -expected[minute] * at  # restart here: the block's rest is new evidence
            highest = max(highest, value)
        mean += expected[minute]
        if minute % BLOCK == BLOCK - 1 or minute == len(counts) - 1:
            s, seen, mean = max(0.0, s + _block_ratio(seen, mean)), 0, 0.0
            highest = max(highest, s)
    return highest, None


def floors(rate: float, seeds: range, quiet_seed: int) -> dict[str, float]:
    """Median onset-to-page of each oracle over the seeds' outages, thresholds set on the quiet month's series."""
    rng = np.random.default_rng(quiet_seed)
    expected, level, counts = draw(rate, 30.0, quiet_seed, outage=False)
    thresholds = {"level": level_cusum(expected * level, counts, math.inf, rng)[0],
                  "bursts": burst_cusum(expected, counts, math.inf, rng)[0]}
    delays: dict[str, list[float]] = {name: [] for name in thresholds}
    lead = 120  # minutes of ordinary traffic before the onset (a multiple of BLOCK, so blocks stay aligned)
    for seed in seeds:
        expected, level, counts = draw(rate, 2.0, seed, outage=True)
        window = slice(ONSET - lead, None)
        for name, (_, paged) in (
                ("level", level_cusum((expected * level)[window], counts[window], thresholds["level"], rng, lead)),
                ("bursts", burst_cusum(expected[window], counts[window], thresholds["bursts"], rng, lead))):
            delays[name].append(math.inf if paged is None else paged - lead)
    return {name: float(np.median(values)) for name, values in delays.items()}
