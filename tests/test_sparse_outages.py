"""Sparse and topic-split outage report series: paged, held open, ended by calm or by people saying it is back."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from monitor.detection import Detection
from monitor.detectors.seasonal import SeasonalDetector
from monitor.detectors.tracker import SignalMonitor
from monitor.settings import DetectorSettings
from tests.test_detectors import MINUTE, START, family_events, feed, kinds, rhythm

OUTAGE = DetectorSettings().for_signal("outage")


def bursty(rates: np.ndarray, seed: int, shape: float = 8.0) -> np.ndarray:
    """Poisson counts around rates times a Gamma(shape) level drawn per five minutes (bursts, not single minutes)."""
    rng = np.random.default_rng(seed)
    level = np.repeat(rng.gamma(shape, 1.0 / shape, len(rates) // 5 + 1), 5)[: len(rates)]
    return rng.poisson(rates * level)


def outage_day(seed: int, onset: int = 14 * 60, length: int = 60) -> tuple[np.ndarray, int, int]:
    """A day and a half at ~1.5 reports a minute, then `length` minutes at 5x with five at half that in the middle."""
    rates = rhythm(2, 1.5, swing=0.3)
    start = 1440 + onset
    rates[start: start + length] *= 5.0
    counts = bursty(rates, seed)
    middle = start + length // 2
    counts[middle: middle + 5] = np.random.default_rng(seed).poisson(0.5 * rates[middle: middle + 5])
    return counts, start, start + length


def test_a_five_fold_outage_on_a_large_brand_is_paged_and_held_until_it_ends() -> None:
    held = 0
    for seed in range(1, 11):
        counts, start, end = outage_day(seed)
        events = feed(SignalMonitor(OUTAGE), counts)
        assert kinds(events).count("open") == 1 and kinds(events)[-1] == "resolve", (seed, events)
        opened = next(i for i, e in events if e.kind == "open")
        assert start <= opened <= start + 15, (seed, opened - start)
        assert events[-1][0] <= end + 20, (seed, events[-1][0] - end)
        held += events[-1][0] >= end
    assert held >= 9  # five quiet-looking minutes of bursty, sparse counts may still pass for the end, rarely


def test_the_rise_before_a_significant_bucket_does_not_teach_the_noise() -> None:
    counts, start, _ = outage_day(5)
    detector = SeasonalDetector(OUTAGE)
    for index, count in enumerate(counts[:start]):
        detector.observe(START + index * MINUTE, float(count))
    before = detector.baseline.noise.value()
    for index in range(start, start + 15):
        detector.observe(START + index * MINUTE, float(counts[index]))
    assert detector.baseline.noise.value() < 1.2 * before  # the outage's minutes are not taken for noisy counts
    quiet = SeasonalDetector(OUTAGE)
    for index, count in enumerate(counts[:start]):
        quiet.observe(START + index * MINUTE, float(count))
    for index in range(start, start + 15 + quiet.hindsight):
        quiet.observe(START + index * MINUTE, float(counts[index - 1440]))  # yesterday's minutes: ordinary noise
    assert quiet.baseline.noise.value() != before and len(quiet.lessons) == quiet.hindsight


def test_a_time_slot_learns_its_factor_only_once_it_is_over() -> None:
    detector = SeasonalDetector(DetectorSettings())
    counts = rhythm(1, 20.0)
    for index, count in enumerate(counts):
        detector.observe(START + index * MINUTE, float(count))
    base = detector.baseline
    now = START + timedelta(days=1)
    week = base.hours(now)[1]
    factor = base.shape(week)
    for index in range(10):  # ten minutes at 1.2x: not significant, and not yet part of the time-of-day shape
        detector.observe(now + index * MINUTE, 1.2 * float(counts[index]))
    assert base.shape(week) == factor
    for index in range(10, 20):  # the slot (15 minutes) is over: now its minutes are learned
        detector.observe(now + index * MINUTE, float(counts[index]))
    assert base.shape(week) != factor


def trailing_outage(seed: int) -> tuple[np.ndarray, int, int]:
    """Ten quiet hours at one report a minute, then a morning rise to 1.6 during a 40-minute outage at 4x, whose
    reports trail off at 1.8x for 30 minutes after the fix: against the night's baseline, the end looks late."""
    rates = np.ones(16 * 60)
    start, end = 10 * 60, 10 * 60 + 40
    rates[start - 20:] = np.minimum(1.6, 1.0 + 0.6 * np.arange(len(rates) - start + 20) / 60)
    rates[start:end] *= 4.0
    rates[end: end + 30] *= 1.8
    return bursty(rates, seed), start, end


def _resolutions(settings: DetectorSettings, counts: np.ndarray, said: np.ndarray) -> list[int]:
    monitor = SignalMonitor(settings)
    return [i for i, count in enumerate(counts)
            for e in monitor.observe(START + i * MINUTE, float(count), float(said[i])) if e.kind == "resolve"]


def test_people_saying_it_works_again_end_an_outage_whose_reports_trail_off() -> None:
    deaf = OUTAGE.model_copy(update={"recovery_reports": 0})
    heard_late = unheard_late = 0
    for seed in range(1, 9):
        counts, _, end = trailing_outage(seed)
        said = np.zeros(len(counts))
        said[end + 1: end + 12] = 1.0  # one person a minute writes "back up now" after the fix
        heard, unheard = _resolutions(OUTAGE, counts, said), _resolutions(deaf, counts, said)
        assert heard[:-1] == unheard[:-1] and end < heard[-1] <= unheard[-1], (seed, heard, unheard, end)
        heard_late += heard[-1] > end + 15
        unheard_late += unheard[-1] > end + 15
    assert heard_late <= 1 and unheard_late >= 3, (heard_late, unheard_late)


def test_recovery_posts_while_the_reports_stay_loud_do_not_end_an_outage() -> None:
    for seed in range(1, 6):
        counts, start, end = trailing_outage(seed)
        counts[start:end] = bursty(np.full(end - start, 8.0), seed)  # loud from start to end, no lull
        said = np.zeros(len(counts))
        said[start + 5: end] = 2.0  # a few say it works for them while the reports are still loud
        heard = _resolutions(OUTAGE, counts, said)
        assert heard and heard[0] > end, (seed, heard, end)


def test_recovery_reports_end_the_outage_family_live_and_when_warmed() -> None:
    counts, _, end = trailing_outage(7)
    def minutes(said: int) -> list[list[tuple[str, ...]]]:
        return [[("volume",)] * 5 + [("volume", "outage", "complaints")] * int(n)
                + [("volume", "recovery")] * (said if end < i <= end + 11 else 0) for i, n in enumerate(counts)]

    def outage_resolves(events: list[tuple[int, str, str]]) -> list[int]:
        return [index for index, signal, kind in events if signal == "outage" and kind == "resolve"]

    settings = DetectorSettings(signals=["outage"])
    heard_live = Detection(settings, history=10_000)
    heard = outage_resolves(family_events(heard_live, minutes(1)))
    unheard = outage_resolves(family_events(Detection(settings, history=10_000), minutes(0)))
    assert heard and unheard and heard[-1] <= end + 15 < unheard[-1], (heard, unheard, end)
    assert all(signal != "recovery" for _, signal, _ in family_events(Detection(settings), minutes(1)))
    # A restart replays the stored counts, the recovery reports included: the episode ended in the replay too.
    cut = heard[-1] + 1
    stored = {signal: {datetime.fromisoformat(at): n for at, n in heard_live.recent("Acme", signal, 10_000)[:cut] if n}
              for signal in ("volume", "outage", "complaints", "recovery")}
    state = Detection(settings, history=10_000).warm("Acme", stored, START + cut * MINUTE)
    assert not state["outage"].episode_open and state["outage"].resolved_at == START + cut * MINUTE
    del stored["recovery"]
    assert Detection(settings, history=10_000).warm("Acme", stored, START + cut * MINUTE)["outage"].episode_open


def test_an_outage_on_one_topic_is_paged_sooner_through_its_topic_series() -> None:
    topics = ("login", "payments", "app", "website", "delivery")
    quiet, start = 14 * 60, 14 * 60

    def minutes(seed: int, named: bool) -> list[list[tuple[str, ...]]]:
        rng = np.random.default_rng(seed)
        out = []
        for index in range(quiet + 30):
            rates = {topic: 0.3 for topic in topics}  # 1.5 reports a minute, spread over five topics
            if index >= start:
                rates["login"] += 6.0 * min(1.0, (index - start + 1) / 2)  # 5x in all, ramping over two minutes
            row: list[tuple[str, ...]] = [("volume",)] * int(rng.poisson(40.0))
            for topic, rate in rates.items():
                report = ("volume", "outage", "complaints") + ((f"outage:{topic}",) if named else ())
                row += [report] * int(rng.poisson(rate))
            out.append(row)
        return out

    settings = DetectorSettings(signals=["outage"], per_signal={"outage": {"threshold": 4.5, "min_excess": 2.0,
                                                                           "open_after_minutes": 1.0}})
    sooner = 0
    for seed in range(1, 7):
        opened = {}
        for named in (True, False):
            events = family_events(Detection(settings), minutes(seed, named))
            opens = [index for index, signal, kind in events if signal == "outage" and kind == "open"]
            assert opens and opens[0] >= start, (seed, named, opens)  # nothing before the outage
            opened[named] = opens[0]
        assert opened[True] <= opened[False], (seed, opened)
        sooner += opened[True] < opened[False]
    assert sooner >= 3, sooner
