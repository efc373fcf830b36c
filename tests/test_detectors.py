"""Seasonal baseline and episode tracker on synthetic count series with a daily rhythm (time passed explicitly)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from monitor.detection import Detection
from monitor.detectors.base import EpisodeEvent, buckets_for, severity_of
from monitor.detectors.baseline import SeasonalBaseline
from monitor.detectors.tails import tail_score, upper_tail
from monitor.detectors.tracker import SignalMonitor
from monitor.settings import DetectorSettings

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
MINUTE = timedelta(minutes=1)


def rhythm(days: float, mean: float, swing: float = 0.6, weekend: float = 1.0) -> np.ndarray:
    """Expected count per minute: a daily wave (low at 03:00 UTC, high at 15:00) and a weekly one (low on Saturday)."""
    minute = np.arange(int(days * 1440))
    day_part = 1.0 - swing * np.cos(2 * np.pi * (minute / 1440 - 3 / 24))
    week_part = (1 + weekend) / 2 - (1 - weekend) / 2 * np.cos(2 * np.pi * (minute / 1440 - 5.5) / 7)
    return mean * day_part * week_part


def poisson(rates: np.ndarray, seed: int) -> np.ndarray:
    """Poisson counts around `rates`."""
    return np.random.default_rng(seed).poisson(rates)


def negative_binomial(rates: np.ndarray, seed: int, shape: float = 10.0) -> np.ndarray:
    """Over-dispersed counts: Poisson around rates times a Gamma(shape, 1/shape) factor per minute."""
    rng = np.random.default_rng(seed)
    return rng.poisson(rates * rng.gamma(shape, 1.0 / shape, len(rates)))


def feed(monitor: SignalMonitor, counts: np.ndarray | list[float], start: datetime = START,
         step: timedelta = MINUTE) -> list[tuple[int, EpisodeEvent]]:
    """Observe every bucket in order; return (bucket index, event) pairs."""
    out: list[tuple[int, EpisodeEvent]] = []
    for index, count in enumerate(counts):
        out.extend((index, event) for event in monitor.observe(start + index * step, float(count)))
    return out


def kinds(events: list[tuple[int, EpisodeEvent]]) -> list[str]:
    """The event kinds, in order."""
    return [event.kind for _, event in events]


@pytest.mark.parametrize(("kind", "mean", "seed"), [
    ("poisson", 2.0, 11), ("poisson", 30.0, 12), ("negbin", 8.0, 13), ("negbin", 150.0, 14),
])
def test_a_normal_week_opens_nothing(kind: str, mean: float, seed: int) -> None:
    rates = rhythm(7, mean, swing=0.7, weekend=0.6)
    counts = poisson(rates, seed) if kind == "poisson" else negative_binomial(rates, seed)
    monitor = SignalMonitor(DetectorSettings())
    assert feed(monitor, counts) == []


def test_the_baseline_learns_time_of_day() -> None:
    rates = rhythm(22, 40.0, swing=0.7, weekend=0.5)
    monitor = SignalMonitor(DetectorSettings())
    assert feed(monitor, poisson(rates[: 21 * 1440], 5)) == []
    baseline = monitor.detector.baseline
    for hour in (3, 9, 15, 21):  # each hour of day 22 (a Monday), judged before it is seen
        expected = baseline.expected(START + timedelta(days=21, hours=hour, minutes=30))
        # within 30%: a slot's factor is learned from earlier days only, and a sparse slot is shrunk towards 1
        assert expected == pytest.approx(rates[21 * 1440 + hour * 60 + 30], rel=0.3), hour
    assert baseline.day.at(15.5) > 3 * baseline.day.at(3.5)


@pytest.mark.slow
def test_the_baseline_learns_day_of_week() -> None:
    rates = rhythm(27, 30.0, swing=0.3)
    minute = np.arange(len(rates))
    weekday_nine = ((minute // 1440) % 7 < 5) & ((minute % 1440) // 60 == 9)
    rates[weekday_nine] *= 2.5  # a weekday-morning rush hour that weekends do not have (abrupt: 09:00-10:00)
    saturday = 26 * 1440  # day 26 is the fourth Saturday (day 0 is a Monday)
    monitor = SignalMonitor(DetectorSettings())
    events = feed(monitor, poisson(rates[: saturday + 9 * 60], 6))
    days = {index // 1440 for index, _ in events}
    assert 0 in days and max(days) < 7  # news on the first morning, then part of the rhythm
    baseline = monitor.detector.baseline
    week = baseline.hours(START + (saturday + 9 * 60) * MINUTE)[1]
    assert baseline.day.at(9.5) > 1.5 * baseline.day.at(8.5)  # hour of day alone expects the rush ...
    assert baseline.shape(week + 0.5) < 1.3 * baseline.shape(week - 0.5)  # ... hour of week knows Saturday
    expected = baseline.expected(START + (saturday + 9 * 60 + 30) * MINUTE)
    assert expected == pytest.approx(rates[saturday + 9 * 60 + 30], rel=0.25)


def test_a_five_fold_spike_opens_within_two_buckets_and_resolves_after_quiet() -> None:
    settings = DetectorSettings()
    rates = rhythm(3, 20.0)
    spike_at, spike_len = 2 * 1440 + 14 * 60, 30
    rates[spike_at: spike_at + spike_len] *= 5
    events = feed(SignalMonitor(settings), negative_binomial(rates, 21))
    assert kinds(events)[0] == "open" and kinds(events)[-1] == "resolve", kinds(events)
    opened, resolved = events[0], events[-1]
    assert spike_at <= opened[0] <= spike_at + 1  # decided at the end of the first or second spike bucket
    assert opened[1].started_at == START + spike_at * MINUTE
    assert opened[1].at == START + (opened[0] + 1) * MINUTE
    assert opened[1].peak > 3 * opened[1].expected and opened[1].peak >= opened[1].value
    assert 2 <= opened[1].severity <= 8
    end = spike_at + spike_len
    assert end + settings.quiet_minutes - 1 <= resolved[0] <= end + settings.quiet_minutes + 3
    assert resolved[1].started_at == opened[1].started_at and resolved[1].peak >= 80
    assert all(kind == "escalate" for kind in kinds(events)[1:-1])


def test_a_growing_spike_escalates_by_two_levels_at_a_time() -> None:
    rates = rhythm(2, 10.0)
    start = 1440 + 12 * 60
    for step, factor in enumerate((3, 8, 30, 120)):
        rates[start + 10 * step: start + 10 * (step + 1)] *= factor
    events = feed(SignalMonitor(DetectorSettings()), poisson(rates, 8))
    assert kinds(events)[0] == "open" and "escalate" in kinds(events) and kinds(events)[-1] == "resolve"
    levels = [e.severity for _, e in events if e.kind in ("open", "escalate")]
    assert all(b - a >= 2 for a, b in itertools.pairwise(levels)), levels
    assert levels[-1] >= 8 and all(1 <= level <= 10 for level in levels)
    assert len({e.started_at for _, e in events}) == 1


def test_a_sparse_series_shrugs_at_twos_but_catches_a_burst() -> None:
    rates = rhythm(4, 0.3, swing=0.5)
    counts = poisson(rates, 3)
    counts[::97] = np.maximum(counts[::97], 2)  # occasional twos (and the odd three)
    counts[::211] = np.maximum(counts[::211], 3)
    assert feed(SignalMonitor(DetectorSettings()), counts) == []
    quiet = poisson(rhythm(4, 0.01), 5)  # a few reports a day: three at once are unlikely, but no outage
    for day in range(1, 4):
        quiet[day * 1440 + 600: day * 1440 + 602] = (2, 1)
    assert feed(SignalMonitor(DetectorSettings()), quiet) == []
    sustained = counts.copy()
    sustained[500:505] = 3  # but 15 reports in five minutes against 1.5 expected is news
    assert kinds(feed(SignalMonitor(DetectorSettings()), sustained))[:1] == ["open"]
    burst = counts.copy()
    burst[3 * 1440 + 600: 3 * 1440 + 612] = 12
    events = feed(SignalMonitor(DetectorSettings()), burst)
    assert kinds(events)[0] == "open" and events[0][0] <= 3 * 1440 + 601
    assert kinds(events)[-1] == "resolve"


def test_a_sparse_sustained_rise_opens_through_the_window_scan() -> None:
    counts = poisson(rhythm(2, 0.4, swing=0.3), 4)
    rise = 1440 + 700
    counts[rise: rise + 30] = np.random.default_rng(9).poisson(2.0, 30)  # no single minute is remarkable
    events = feed(SignalMonitor(DetectorSettings()), counts)
    assert kinds(events)[:1] == ["open"] and rise < events[0][0] <= rise + 15
    assert events[0][1].started_at >= START + (rise - 2) * MINUTE


def test_a_slow_trickle_of_reports_needs_a_longer_silence_to_resolve() -> None:
    rng = np.random.default_rng(12)
    counts = rng.poisson(np.full(3 * 1440, 0.03))
    start = 2 * 1440 + 600
    counts[start: start + 90] = rng.poisson(0.5, 90)  # an outage reported about every other minute ...
    counts[start + 40: start + 52] = 0  # ... with a twelve-minute lull in the middle
    events = feed(SignalMonitor(DetectorSettings()), counts)
    assert kinds(events).count("open") == 1 and kinds(events)[-1] == "resolve", [(i, e.kind) for i, e in events]
    assert start + 90 + 10 <= events[-1][0] <= start + 90 + 40
    loud = rng.poisson(np.full(3 * 1440, 3.0))
    loud[start: start + 30] = rng.poisson(40.0, 30)  # a loud one resolves after quiet_minutes
    events = feed(SignalMonitor(DetectorSettings()), loud)
    assert kinds(events)[-1] == "resolve" and events[-1][0] <= start + 30 + 12


def test_a_cold_start_judges_from_the_recent_level() -> None:
    counts = [*poisson(np.full(40, 10.0), 1), 55, 60, 52, 58, 61, *poisson(np.full(30, 10.0), 2)]
    events = feed(SignalMonitor(DetectorSettings()), counts)
    assert kinds(events)[0] == "open" and kinds(events)[-1] == "resolve" and kinds(events).count("open") == 1
    assert events[0][0] in (40, 41) and events[0][1].expected < 15
    empty = [0] * 20 + [14, 15, 13] + [0] * 15  # a brand-new outage series: nothing, then reports
    events = feed(SignalMonitor(DetectorSettings()), empty)
    assert events[0][0] == 20 and kinds(events)[0] == "open" and kinds(events)[-1] == "resolve"
    assert kinds(events).count("open") == 1 and events[-1][0] <= 22 + 11


@pytest.mark.parametrize("rate", [0.3, 0.8, 2.0])
def test_a_cold_start_of_sparse_reports_opens_nothing(rate: float) -> None:
    """A brand-new series whose first minutes happen to be silent: the next few reports are no surprise yet."""
    settings = DetectorSettings().for_signal("outage")  # the most eager tuning: opens on a first minute of reports
    opened = [seed for seed in range(60)
              if "open" in kinds(feed(SignalMonitor(settings), poisson(np.full(60, rate), 100 + seed)))]
    assert opened == []
    burst = [0, 0, 0, 0, 9, 11, 10, 0, 0]  # silence, then a real burst: still paged in its first minute
    events = feed(SignalMonitor(settings), burst)
    assert kinds(events)[:1] == ["open"] and events[0][0] == 4


def test_a_huge_bucket_opens_at_once() -> None:
    counts = [*poisson(np.full(120, 5.0), 3), 400, *poisson(np.full(20, 5.0), 4)]
    events = feed(SignalMonitor(DetectorSettings()), counts)
    assert events[0][0] == 120 and events[0][1].kind == "open" and events[0][1].severity >= 8


def test_spikes_do_not_poison_the_baseline() -> None:
    rates = rhythm(3, 20.0)
    first, second = 2 * 1440 + 10 * 60, 2 * 1440 + 13 * 60
    rates[first: first + 60] *= 6
    rates[second: second + 30] *= 6
    counts = negative_binomial(rates, 17)
    monitor = SignalMonitor(DetectorSettings())
    events = feed(monitor, counts[: first + 60])
    assert kinds(events)[0] == "open"
    after = START + (first + 60) * MINUTE  # right after a full hour at 6x
    assert monitor.detector.baseline.expected(after) < 1.3 * rates[first + 60]
    events = feed(monitor, counts[first + 60:], start=after)
    opens = [index + first + 60 for index, event in events if event.kind == "open"]
    assert len(opens) == 1 and second <= opens[0] <= second + 2  # the second spike is seen as clearly


@pytest.mark.parametrize(("bucket", "open_index", "resolve_index"), [(30, 3, 29), (60, 1, 14), (300, 0, 2)])
def test_minute_settings_are_converted_to_buckets(bucket: int, open_index: int, resolve_index: int) -> None:
    settings = DetectorSettings(bucket_seconds=bucket, quiet_minutes=10.0)
    per_minute = 8.0
    step = timedelta(seconds=bucket)
    warm = [(START + i * step, per_minute * bucket / 60) for i in range(int(6 * 3600 / bucket))]
    monitor = SignalMonitor(settings)
    monitor.warm(warm)
    spike_start = START + len(warm) * step
    spike_buckets = max(1, 300 // bucket)  # five minutes at 3.5x
    counts = [3.5 * per_minute * bucket / 60] * spike_buckets + [per_minute * bucket / 60] * (30 * 60 // bucket)
    events = feed(monitor, counts, start=spike_start, step=step)
    assert kinds(events) == ["open", "resolve"], [(i, e.kind, e.severity) for i, e in events]
    assert events[0][0] == open_index  # open_after_minutes = 2
    assert events[1][0] == resolve_index  # quiet_minutes = 10 after the spike's last bucket
    assert events[1][1].at - (spike_start + spike_buckets * step) == timedelta(minutes=10)


def test_warm_history_and_order() -> None:
    rates = rhythm(7, 30.0, swing=0.7)
    history = [(START + i * MINUTE, float(c)) for i, c in enumerate(poisson(rates, 30))]
    monitor = SignalMonitor(DetectorSettings())
    monitor.warm(history)
    next_start = START + len(history) * MINUTE
    assert monitor.detector.baseline.expected(next_start + timedelta(hours=12)) == pytest.approx(
        rhythm(8, 30.0, swing=0.7)[len(history) + 720], rel=0.25)
    assert monitor.observe(next_start, 30) == []
    with pytest.raises(ValueError, match="not after"):
        monitor.observe(next_start, 30)
    with pytest.raises(ValueError, match="not after"):
        monitor.warm([(START, 1.0)])


def test_local_time_of_day_follows_the_configured_zone() -> None:
    rome = SeasonalBaseline(DetectorSettings(timezone="Europe/Rome"))
    utc = SeasonalBaseline(DetectorSettings())
    summer = datetime(2026, 7, 6, 10, 0, tzinfo=UTC)  # a Monday, 12:00 in Rome
    assert utc.hours(summer) == pytest.approx((10.0 + 0.5 / 60, 10.0 + 0.5 / 60))
    assert rome.hours(summer) == pytest.approx((12.0 + 0.5 / 60, 12.0 + 0.5 / 60))


def test_severity_grows_with_excess_and_duration() -> None:
    assert severity_of(10, 10, 3, 2) == 1
    sizes = [severity_of(v, 10, 3, 2) for v in (15, 20, 40, 80, 160, 400)]
    assert sizes == sorted(sizes) and sizes[0] <= 3 and sizes[-1] >= 9
    durations = [severity_of(40, 10, 3, m) for m in (2, 15, 30, 60, 240)]
    assert durations == sorted(durations) and durations[-1] == durations[0] + 3
    assert severity_of(10_000, 0.1, 3, 600) == 10
    assert severity_of(12, 0.3, 3, 2) < severity_of(30, 0.3, 3, 2)  # min_excess floors the scale of tiny baselines


def test_exact_tails_and_buckets() -> None:
    assert upper_tail(0, 3.0, 0.0) == 1.0
    assert upper_tail(1, 2.0, 0.0) == pytest.approx(1 - np.exp(-2.0))
    assert upper_tail(3, 2.0, 0.5) == pytest.approx(1 - 0.25 - 0.25 - 0.1875)  # k = 2, p = 1/2 by hand
    assert tail_score(2, 0.3, 0.0) < tail_score(8, 0.3, 0.0) < tail_score(8, 0.3, 0.0, tests=1) + 1e-9
    assert tail_score(40, 20.0, 0.0) > tail_score(40, 20.0, 0.2)  # over-dispersion makes the same count tamer
    assert tail_score(5, 9.0, 0.1) == 0.0
    assert [buckets_for(2, 300), buckets_for(10, 300), buckets_for(2, 30), buckets_for(0, 60)] == [1, 2, 4, 1]


def family_events(detection: Detection, minutes: list[list[tuple[str, ...]]], start: datetime = START
                  ) -> list[tuple[int, str, str]]:
    """Feed one list of signal tuples per minute (one author each) and return (minute, signal, kind) events."""
    out = []
    for index, mentions in enumerate(minutes):
        at = start + index * MINUTE
        for number, signals in enumerate(mentions):
            detection.add("Acme", at + timedelta(seconds=number * 50 / max(1, len(mentions))), f"x:{index}-{number}",
                          signals)
        out += [(index, signal, event.kind) for _, signal, event in detection.advance(at + MINUTE)]
    return out


def complaint_minutes(rng: np.random.Generator, n: int, app: float, payments: float) -> list[list[tuple[str, ...]]]:
    """Minutes of complaints about the app and about payments at these rates (per minute), plus chatter."""
    return [[("volume",)] * rng.poisson(6.0) + [("volume", "complaints", "complaints:app")] * rng.poisson(app)
            + [("volume", "complaints", "complaints:payments")] * rng.poisson(payments) for _ in range(n)]


def test_a_topic_trickle_does_not_hold_its_family_open_after_the_aggregate_calms() -> None:
    rng = np.random.default_rng(31)
    quiet, surge = 6 * 60, 60
    minutes = (complaint_minutes(rng, quiet, 3.0, 0.05) + complaint_minutes(rng, surge, 15.0, 5.0)
               + complaint_minutes(rng, 30, 3.0, 1.0) + complaint_minutes(rng, 60, 3.0, 0.05))
    events = [e for e in family_events(Detection(DetectorSettings()), minutes) if e[1] == "complaints"]
    assert [kind for _, _, kind in events][:1] == ["open"], events
    resolves = [index for index, _, kind in events if kind == "resolve"]
    # After the surge, payments complaints trickle on at 20x their usual 0.05 a minute for half an hour: news for
    # the payments series alone, noise in all complaints. The episode ends when all complaints are calm again
    # (the trickle may open one of its own later: within the monitoring hold, that is the same incident).
    assert resolves and quiet + surge <= resolves[0] <= quiet + surge + 10, events


def test_a_warmed_detection_carries_an_open_episode_to_its_resolve() -> None:
    rng = np.random.default_rng(32)
    settings = DetectorSettings()
    outage = [[("volume",)] * rng.poisson(5.0) + [("volume", "outage", "complaints")] * rng.poisson(0.05)
              for _ in range(180)] + [[("volume", "outage", "complaints")] * 30 for _ in range(20)]
    live = Detection(settings, history=10_000)
    before = family_events(live, outage)
    assert ("outage", "open") in {(signal, kind) for _, signal, kind in before}
    counts: dict[str, dict[datetime, int]] = {}
    for signal in ("volume", "outage", "complaints"):
        counts[signal] = {datetime.fromisoformat(at): n for at, n in live.recent("Acme", signal, 10_000) if n}
    end = START + len(outage) * MINUTE
    warmed = Detection(settings, history=10_000)
    assert not warmed.counting()
    state = warmed.warm("Acme", counts, end)
    assert state["outage"].episode_open and state["complaints"].episode_open and not state["negative"].episode_open
    assert warmed.counting() and len(warmed.recent("Acme", "outage", 10_000)) == len(outage)
    assert warmed.level("Acme").value == pytest.approx(live.level("Acme").value)  # the common level is warmed too
    assert warmed.level("Acme").baseline.seen == live.level("Acme").baseline.seen == len(outage)
    calm = [[("volume",)] * rng.poisson(5.0) for _ in range(30)]
    after = family_events(warmed, calm, start=end)
    outage_after = [(index, kind) for index, signal, kind in after if signal == "outage"]
    assert [kind for _, kind in outage_after] == ["resolve"] and outage_after[0][0] <= 10, after


FIVE_MINUTES = timedelta(minutes=5)


def test_the_window_quantile_is_exact_over_the_last_values() -> None:
    from monitor.detectors.online import WindowQuantile

    rng = np.random.default_rng(5)
    values = rng.integers(0, 50, 400).astype(float)
    window = WindowQuantile(100, 0.9)
    assert window.value() == 0.0
    for i, value in enumerate(values):
        window.add(float(value))
        last = sorted(values[max(0, i - 99):i + 1])
        assert len(window) == len(last)
        assert window.value() == last[int(0.9 * (len(last) - 1))]


def test_the_long_horizon_gate_keeps_ordinary_bursts_quiet_and_lets_a_record_through() -> None:
    rng = np.random.default_rng(7)
    rates = rhythm(14, 20.0)[::5]  # 5-minute buckets of about 20 mentions, with the daily wave
    counts = poisson(rates, 3).astype(float)
    bursts = np.concatenate([day * 288 + rng.choice(288, 4, replace=False) for day in range(1, 14)])
    counts[bursts] += rng.uniform(150, 250, size=len(bursts))  # four ordinary bursts a day, at random times
    record = len(counts) - 100
    counts[record] += 1000
    second_week = 7 * 288
    plain = [i for i, e in feed(SignalMonitor(DetectorSettings(bucket_seconds=300)), counts, step=FIVE_MINUTES)
             if e.kind == "open" and i >= second_week]
    assert len(plain) >= 20 and record in plain  # without the gate, nearly every burst pages
    gated = DetectorSettings(bucket_seconds=300, extreme_days=7, extreme_quantile=0.99, extreme_factor=2.0)
    opens = [i for i, e in feed(SignalMonitor(gated), counts, step=FIVE_MINUTES)
             if e.kind == "open" and i >= second_week]
    assert opens == [record]


def test_an_episode_echo_holds_back_its_aftershock_but_not_a_louder_one() -> None:
    counts = poisson(np.full(3 * 288, 20.0), 9).astype(float)
    first, aftershock, louder = 288, 288 + 36, 288 + 72  # the aftershock 3 hours later, a louder one 6 hours later
    counts[first:first + 3] += 1000
    counts[aftershock:aftershock + 2] += 500
    counts[louder:louder + 2] += 1500
    plain = [i for i, e in feed(SignalMonitor(DetectorSettings(bucket_seconds=300)), counts, step=FIVE_MINUTES)
             if e.kind == "open"]
    assert plain == [first, aftershock, louder]
    echo = DetectorSettings(bucket_seconds=300, echo_hours=24.0, echo_factor=1.0)
    monitor = SignalMonitor(echo)
    events = feed(monitor, counts, step=FIVE_MINUTES)
    assert [i for i, e in events if e.kind == "open"] == [first, louder]
    assert [e.kind for _, e in events].count("resolve") == 2
    assert monitor.echo() == pytest.approx(max(counts[louder:louder + 2]) * 0.5 ** (
        (len(counts) - louder - 3) * 5 / 60 / 24), rel=0.05)  # the louder episode's peak, fading since it ended

