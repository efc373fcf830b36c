"""NAB scoring on tiny hand-made series (expected values worked out by hand), and the benchmark on the real files."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from bench import nab
from tests.conftest import need_shared

ROWS = 20           # probationary period: min(floor(0.15 x 20), 750) = 3 rows
WINDOW = (10, 13)   # four rows wide


def flags(*rows: int, n: int = ROWS) -> list[bool]:
    """Detection flags firing at the given rows."""
    return [i in rows for i in range(n)]


def test_scaled_sigmoid_by_hand() -> None:
    assert nab.scaled_sigmoid(-1.0) == pytest.approx(2 / (1 + math.exp(-5)) - 1)  # 0.98661
    assert nab.scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert nab.scaled_sigmoid(-0.5) == pytest.approx(0.84828, abs=1e-5)
    assert nab.scaled_sigmoid(0.0) == 0.0
    assert nab.scaled_sigmoid(1.0) == pytest.approx(-0.98661, abs=1e-5)
    assert -1.0 < nab.scaled_sigmoid(3.0) == pytest.approx(2 / (1 + math.exp(15)) - 1)  # NAB: -1 only past 3.0
    assert nab.scaled_sigmoid(3.01) == nab.scaled_sigmoid(10.0) == -1.0


def test_probationary_length() -> None:
    assert nab.probationary_length(20) == 3
    assert nab.probationary_length(1000) == 150
    assert nab.probationary_length(15_903) == 750  # capped at 15% of 5000 rows


def test_a_detection_at_the_window_start_earns_a_full_true_positive() -> None:
    result = nab.score_detections(ROWS, [WINDOW], flags(10))
    assert result.score == pytest.approx(1.0) and (result.windows, result.detected, result.false_positives) == (1, 1, 0)
    assert nab.normalise(result.score, 1) == pytest.approx(100.0)


def test_only_the_earliest_detection_in_a_window_counts() -> None:
    late = nab.score_detections(ROWS, [WINDOW], flags(13)).score
    # at the last row: position -(13 - 13 + 1) / 4 = -0.25; (2 sigmoid(1.25) - 1) / 0.98661 = 0.55460 / 0.98661
    assert late == pytest.approx(0.55460 / 0.98661, abs=1e-4)
    both = nab.score_detections(ROWS, [WINDOW], flags(11, 13)).score
    # at row 11: position -0.75, (2 sigmoid(3.75) - 1) / 0.98661 = 0.95405 / 0.98661
    assert both == pytest.approx(0.95405 / 0.98661, abs=1e-4)


def test_false_positives_are_weighted_by_distance_past_the_previous_window() -> None:
    before = nab.score_detections(ROWS, [WINDOW], flags(5)).score
    assert before == pytest.approx(-1.0 - 0.11)  # missed window, full FP before any window
    after = nab.score_detections(ROWS, [WINDOW], flags(10, 15)).score
    # row 15: |13 - 15| / (4 - 1) = 2/3 past; 0.11 x (2 sigmoid(-10/3) - 1) = 0.11 x -0.93111
    assert after == pytest.approx(1.0 - 0.11 * 0.93111, abs=1e-4)
    far = nab.score_detections(ROWS, [WINDOW], flags(10, 19)).score  # 2 window widths past: nearly a full FP
    assert -0.11 < far - 1.0 < after - 1.0


def test_probationary_rows_are_not_scored() -> None:
    assert nab.score_detections(ROWS, [WINDOW], flags(0, 1, 2)).score == pytest.approx(-1.0)
    result = nab.score_detections(ROWS, [WINDOW], flags(3))
    assert result.false_positives == 1 and result.score == pytest.approx(-1.11)


def test_null_and_normalisation() -> None:
    null = nab.score_detections(ROWS, [WINDOW, (16, 18)], flags())
    assert (null.score, null.windows, null.detected) == (-2.0, 2, 0)
    assert nab.normalise(null.score, 2) == 0.0
    assert nab.normalise(0.0, 2) == pytest.approx(50.0)
    with pytest.raises(ValueError, match="detection flags"):
        nab.score_detections(ROWS, [WINDOW], [True])


def test_best_threshold_sweeps_every_score() -> None:
    scores = [0.0] * ROWS
    scores[5], scores[11], scores[17] = 0.9, 0.7, 0.5  # an FP scoring highest, then a TP, then an FP after it
    threshold, raw = nab.best_threshold([(ROWS, [WINDOW], scores)])
    assert threshold == 0.7
    assert raw == pytest.approx(-0.11 + 0.95405 / 0.98661, abs=1e-4)


def test_window_edges_must_be_rows() -> None:
    start = datetime(2015, 3, 1, tzinfo=UTC)
    stamps = [start + timedelta(minutes=5 * i) for i in range(10)]
    assert nab.window_indexes(stamps, [(stamps[6], stamps[8]), (stamps[1], stamps[2])]) == [(1, 2), (6, 8)]
    with pytest.raises(ValueError, match="does not start and end on rows"):
        nab.window_indexes(stamps, [(stamps[1] + timedelta(minutes=1), stamps[3])])


@pytest.mark.slow
def test_the_benchmark_on_the_real_tweet_series() -> None:
    need_shared("data", "volume", "nab_realTweets")
    from bench import bench_nab

    corpus = bench_nab.Corpus()
    assert corpus.windows == 16
    never = {name: [False] * len(rows) for name, (rows, _) in corpus.files.items()}
    assert bench_nab.score_flags(corpus, never)["score"] == 0.0
    starts = {name: [i in {a for a, _ in wins} for i in range(len(rows))] for name, (rows, wins) in
              corpus.files.items()}
    assert bench_nab.score_flags(corpus, starts)["score"] == pytest.approx(100.0)
    ours = bench_nab.score_flags(corpus, bench_nab.ours(corpus))
    assert ours["detected"] >= 12 and 0.0 < ours["score"] < 100.0, ours
    assert set(corpus.published) >= {"ARTime", "windowedGaussian", "null"}


def test_windowed_gaussian_slides_like_nabs() -> None:
    from bench.bench_nab import windowed_gaussian

    scores = windowed_gaussian([1, 3, 5, 100, 5, 7], window=3, step=2)
    # Rows 0-2 fill the window; row 3 waits in the step buffer; after row 4 the window is [5, 100, 5].
    assert scores[0] == 0.0 and scores[1] == pytest.approx(1.0) and scores[3] == pytest.approx(1.0)
    assert scores[2] == pytest.approx(1 - 0.5 * math.erfc(3 / math.sqrt(2)))
    assert scores[4] == pytest.approx(1 - 0.5 * math.erfc(2 / math.sqrt(8 / 3) / math.sqrt(2)))
    mean, std = 110 / 3, float(np.std([5, 100, 5]))
    assert scores[5] == pytest.approx(1 - 0.5 * math.erfc(abs(7 - mean) / std / math.sqrt(2)))


@pytest.mark.slow
def test_the_nab_configuration_beats_every_published_detector() -> None:
    need_shared("data", "volume", "nab_realTweets")
    from bench import bench_nab

    corpus = bench_nab.Corpus()
    chosen = bench_nab.nab_settings()
    assert chosen.extreme_days > 0 and chosen.echo_hours > 0 and chosen.bucket_seconds == 300
    result = bench_nab.summary(corpus, bench_nab.file_scores(corpus, chosen))
    assert result["detected"] == 16 and result["score"] > max(corpus.published.values()), result
    # The per-file cache gives what the flags give.
    assert result == bench_nab.score_flags(corpus, bench_nab.ours(corpus, chosen))
