"""The oracle that bench_drill prints beside the large-brand drill: its run lengths, threshold and what it pages on."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.drill_bound import BUDGET_DAYS, onset_bound, reports, run_length, threshold_for
from classifiers.base import Classification
from monitor.mention import Author, Mention
from monitor.store import Store

ONSET = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _simulated_run_length(rate: float, shift: float, threshold: float, runs: int, rng: random.Random) -> float:
    """Average minutes to the first crossing of the Poisson CUSUM, by drawing the reports one by one."""
    total = 0.0
    for _ in range(runs):
        clock = statistic = 0.0
        while statistic < threshold:
            gap = rng.expovariate(rate)
            clock += gap
            statistic = max(0.0, statistic - (shift - 1.0) * rate * gap) + math.log(shift)
        total += clock
    return total / runs


def test_the_markov_chain_run_length_matches_drawing_the_reports() -> None:
    chain = run_length([(1.0, 3.0)], 5.0)
    drawn = _simulated_run_length(1.0, 3.0, 5.0, 3000, random.Random(4))
    assert chain == pytest.approx(drawn, rel=0.08)


def test_a_higher_threshold_or_a_second_stream_changes_the_run_length_the_right_way() -> None:
    assert run_length([(0.2, 10.0)], 8.0) < run_length([(0.2, 10.0)], 12.0)
    # more reports under watch, same threshold: the statistic gets to move more often, so it crosses sooner
    assert run_length([(0.2, 10.0), (0.4, 2.0)], 10.0) < run_length([(0.2, 10.0)], 10.0)


def test_threshold_for_gives_the_lowest_threshold_within_the_budget() -> None:
    streams = [(0.2, 10.0), (0.4, 2.0)]
    year = 365.0 * 1440.0
    threshold = threshold_for(streams, year)
    assert run_length(streams, threshold) >= year > run_length(streams, threshold - 0.05)


def _store(path: Path) -> Path:
    """Outage reports of Acme: a quiet two hours, then a burst on the login topic from the onset."""
    store = Store(f"sqlite:///{path}")
    items = []
    quiet = [(-110 + 7 * i, "login" if i % 3 == 0 else None) for i in range(15)]
    burst = [(0.4 + 0.15 * i, "login" if i % 4 else None) for i in range(20)]
    for n, (minutes, topic) in enumerate([*quiet, *burst, (5.0, "payments")]):
        at = ONSET + timedelta(minutes=minutes)
        mention = Mention(f"m{n}", "x", at, "is it down?", Author(f"a{n}", f"person{n}"), brand="Acme")
        items.append((mention, "Acme", Classification("outage", "negative", "en", topic)))
    # the same person twice in a minute on the same topic counts once
    again = Mention("dup", "x", ONSET + timedelta(minutes=0.45), "still down", Author("a16", "person16"),
                    brand="Acme")
    store.save_batch([*items, (again, "Acme", Classification("outage", "negative", "en", "login"))])
    return path


def test_reports_reads_the_rates_before_the_onset_and_the_reports_after_it(tmp_path: Path) -> None:
    before, after = reports(_store(tmp_path / "drill.db"), "Acme", "login", ONSET)
    assert before == pytest.approx({"topic": 5 / 120, "plain": 10 / 120})
    assert len(after) == 20  # the payments report says nothing, the repeat counts once
    assert [kind for _, kind in after].count("topic") == 15
    assert after[0] == (pytest.approx(0.4), "plain") and after[1] == (pytest.approx(0.45), "topic")
    assert all(minutes != pytest.approx(0.55) for minutes, _ in after)  # the same person, later that minute


def test_the_oracle_pages_on_the_burst_and_a_stricter_budget_pages_no_sooner(tmp_path: Path) -> None:
    paged = onset_bound(_store(tmp_path / "drill.db"), "Acme", "login", ONSET)
    assert set(paged) == set(BUDGET_DAYS)
    times = [paged[days] for days in sorted(BUDGET_DAYS)]
    assert all(t is not None and 0.4 <= t <= 3.5 for t in times)
    assert times == sorted(times)
    # with nothing after the onset, it never pages
    assert set(onset_bound(_store(tmp_path / "other.db"), "Acme", "login", ONSET + timedelta(hours=1)).values()) == {
        None}
