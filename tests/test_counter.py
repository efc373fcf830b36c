"""Bucket counting: authors once per bucket, silent buckets reported, late events, order, speed."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from monitor.detectors.counter import BucketCounter

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def test_an_author_counts_once_per_bucket_and_series() -> None:
    counter = BucketCounter(60)
    for second in (1, 5, 30, 59):
        counter.add("Acme", "outage", at(second), "x:alice")
    counter.add("Acme", "outage", at(10), "x:bob")
    counter.add("Acme", "volume", at(10), "x:alice")  # another series: counts there too
    counter.add("Acme", "outage", at(61), "x:alice")  # the next bucket: counts again
    closed = counter.close_until(at(120))
    assert closed == [("Acme", "outage", T0, 2), ("Acme", "volume", T0, 1),
                      ("Acme", "outage", at(60), 1), ("Acme", "volume", at(60), 0)]
    plain = BucketCounter(60, dedupe_authors=False)
    for second in (1, 5, 30):
        plain.add("Acme", "outage", at(second), "x:alice")
    assert plain.close_until(at(60)) == [("Acme", "outage", T0, 3)]


def test_silence_is_reported_as_zero_buckets_in_time_order() -> None:
    counter = BucketCounter(60)
    counter.add("Acme", "outage", at(0), "a")
    counter.add("Volta", "outage", at(130), "b")
    counter.add("Acme", "outage", at(250), "c")
    counter.register("Acme", "complaints", at(70))
    closed = counter.close_until(at(300))
    assert closed == [
        ("Acme", "outage", at(0), 1),
        ("Acme", "outage", at(60), 0), ("Acme", "complaints", at(60), 0),
        ("Acme", "outage", at(120), 0), ("Volta", "outage", at(120), 1), ("Acme", "complaints", at(120), 0),
        ("Acme", "outage", at(180), 0), ("Volta", "outage", at(180), 0), ("Acme", "complaints", at(180), 0),
        ("Acme", "outage", at(240), 1), ("Volta", "outage", at(240), 0), ("Acme", "complaints", at(240), 0),
    ]
    starts = [row[2] for row in closed]
    assert starts == sorted(starts) and all(s.tzinfo is UTC for s in starts)
    assert counter.series_keys() == [("Acme", "outage"), ("Volta", "outage"), ("Acme", "complaints")]


def test_only_ended_buckets_close_and_each_closes_once() -> None:
    counter = BucketCounter(60)
    counter.add("Acme", "outage", at(10), "a")
    assert counter.close_until(at(59.999)) == []
    assert counter.close_until(at(60)) == [("Acme", "outage", T0, 1)]
    assert counter.close_until(at(60)) == []
    assert counter.close_until(at(30)) == []  # a clock going backwards closes nothing
    assert counter.close_until(at(185)) == [("Acme", "outage", at(60), 0), ("Acme", "outage", at(120), 0)]
    assert counter.pending() == 0


def test_late_events_count_in_the_open_bucket() -> None:
    counter = BucketCounter(60)
    counter.add("Acme", "outage", at(5), "a")
    counter.close_until(at(90))  # bucket [0, 60) is closed; [60, 120) is open
    counter.add("Acme", "outage", at(10), "late")
    counter.add("Acme", "outage", at(-3600), "very late")
    counter.add("Volta", "outage", at(20), "late and new")
    counter.add("Acme", "outage", at(100), "on time")
    assert counter.close_until(at(120)) == [("Acme", "outage", at(60), 3), ("Volta", "outage", at(60), 1)]


def test_dedupe_also_covers_late_events() -> None:
    counter = BucketCounter(60)
    counter.close_until(at(60))
    counter.add("Acme", "outage", at(70), "a")
    counter.add("Acme", "outage", at(10), "a")  # late, same author, lands in the same open bucket
    assert counter.close_until(at(120)) == [("Acme", "outage", at(60), 1)]


def test_buckets_align_to_the_epoch_and_naive_times_are_utc() -> None:
    counter = BucketCounter(300)
    counter.add("Acme", "outage", datetime(2026, 3, 2, 9, 7, 30), "a")  # naive: UTC
    counter.add("Acme", "outage", datetime(2026, 3, 2, 11, 9, 0, tzinfo=UTC).astimezone(
        datetime.now(UTC).astimezone().tzinfo), "b")
    closed = counter.close_until(datetime(2026, 3, 2, 9, 10, tzinfo=UTC))
    assert closed == [("Acme", "outage", datetime(2026, 3, 2, 9, 5, tzinfo=UTC), 1)]
    with pytest.raises(ValueError):
        BucketCounter(0)


def test_a_first_close_far_ahead_replays_at_most_a_week() -> None:
    counter = BucketCounter(60)
    counter.add("Acme", "outage", at(0), "a")
    closed = counter.close_until(at(30 * 86400))
    assert len(closed) == 7 * 1440 and closed[-1][2] == at(30 * 86400 - 60)
    assert all(count == 0 for *_, count in closed)


def _adds_per_second(n: int = 200_000) -> float:
    counter = BucketCounter(60)
    stamps = [T0 + timedelta(seconds=i * 0.02) for i in range(1000)]
    authors = [f"x:{i}" for i in range(997)]
    brands = ("Acme", "Volta")
    signals = ("volume", "complaints", "negative")
    add = counter.add
    started = time.perf_counter()
    for i in range(n):
        add(brands[i & 1], signals[i % 3], stamps[i % 1000], authors[i % 997])
    return n / (time.perf_counter() - started)


def test_counting_keeps_up_with_a_firehose() -> None:
    best = max(_adds_per_second() for _ in range(3))
    assert best >= 100_000, f"{best:,.0f} add() calls per second"


def test_several_signals_at_once_count_each_author_once_per_signal() -> None:
    counter = BucketCounter(60)
    at = datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)
    counter.add_signals("Acme", ("volume", "outage"), at, "x:1")
    counter.add_signals("Acme", ("volume", "complaints"), at, "x:1")  # the same author: new only under complaints
    counter.add_signals("Acme", ("volume",), at, "x:2")
    closed = counter.close_until(at + timedelta(minutes=1))
    assert sorted((signal, count) for _, signal, _, count in closed) == [("complaints", 1), ("outage", 1),
                                                                        ("volume", 2)]
