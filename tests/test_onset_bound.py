"""The oracle CUSUMs that bench_onset prints beside the detector: their statistics and what they page on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.bench_onset import ONSET, PEAK, draw
from bench.onset_bound import _block_ratio, burst_cusum, floors, level_cusum


def test_level_cusum_adds_log_peak_per_report_and_drains_with_the_expected_excess() -> None:
    expected = np.full(10, 1.0)
    counts = np.zeros(10, dtype=int)
    counts[3] = 10
    highest, paged = level_cusum(expected, counts, math.inf, np.random.default_rng(0))
    assert paged is None
    # ten reports in one minute: 10 ln 5, minus at most one minute of drift (PEAK - 1) x 1
    assert 10 * math.log(PEAK) - (PEAK - 1.0) <= highest <= 10 * math.log(PEAK)


def test_silence_never_raises_either_statistic() -> None:
    expected, counts, rng = np.full(60, 3.0), np.zeros(60, dtype=int), np.random.default_rng(0)
    assert level_cusum(expected, counts, math.inf, rng) == (0.0, None)
    assert burst_cusum(expected, counts, math.inf, rng) == (0.0, None)


def test_block_ratio_favours_the_shift_only_when_the_count_looks_like_it() -> None:
    assert _block_ratio(50, 10.0) > 0 > _block_ratio(10, 10.0)
    # a burst of the level is not an outage: twice the mean is still evidence against a 5x shift
    assert _block_ratio(20, 10.0) < 0


def test_a_crossing_before_after_is_a_false_alarm_that_restarts_the_statistic() -> None:
    expected = np.full(20, 1.0)
    counts = np.zeros(20, dtype=int)
    counts[2] = counts[15] = 12
    _, paged = level_cusum(expected, counts, 10.0, np.random.default_rng(0), after=10.0)
    assert paged is not None and 15.0 <= paged < 16.0
    _, paged = burst_cusum(expected, counts, 10.0, np.random.default_rng(0), after=10.0)
    assert paged is not None and 15.0 <= paged < 16.0


def test_the_oracles_page_on_bench_onsets_outages_and_knowing_the_level_helps() -> None:
    result = floors(25.0, range(1, 6), 1250)
    assert 0.0 < result["level"] < result["bursts"] < 15.0
    # the draw bench_onset's detector sees holds the 5x outage at ONSET
    rates, level, counts = draw(25.0, 2.0, 1, outage=True)
    lifted = counts[ONSET + 5:ONSET + 30].sum() / (rates * level)[ONSET + 5:ONSET + 30].sum()
    assert lifted == pytest.approx(PEAK, rel=0.15)
