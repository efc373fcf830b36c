"""Onset to page against a brand's report volume: 5x outages in bursty counts, from sparse to busy series.

The drill measures whole scenarios; this isolates the outage signal's detector (`SignalMonitor` with the demo
configuration's outage tuning) on count series whose statistics match the drill's: a mild daily rhythm, Poisson
counts around a level drawn from a gamma every five minutes (shape 8: bursts, as the scenario generator makes), and
an outage that ramps over 2 minutes to 5x the baseline and holds it for an hour. The brand's other mentions (the
scenario mix: about 66 for each outage report) come in the same bursts, and the detector reads its common level from
them, as the daemon does. The same detector also runs 30 quiet days at each volume, which must open nothing.
"""

from __future__ import annotations

import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.detectors.level import CommonLevel
from monitor.detectors.tracker import SignalMonitor
from monitor.settings import DetectorSettings, load_settings
from monitor.simulate.constants import BASE_MIX

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, tzinfo=UTC)
RATES = (0.5, 1.5, 3.0, 6.0, 12.0, 25.0)  # baseline outage reports a minute
ONSET = 1440 + 14 * 60                    # minute of the onset: a day and fourteen hours of history first
LENGTH, RAMP, PEAK = 60, 2, 5.0
TARGET_MINUTES = 2.0
LEVEL_SHAPE = 8.0                         # gamma shape of the five-minute level: its CV is about a third
OTHERS = (1.0 - BASE_MIX["outage"]) / BASE_MIX["outage"]  # the brand's other mentions per outage report


def outage_settings() -> DetectorSettings:
    """The demo configuration's detector, tuned for the outage signal."""
    return load_settings(ROOT / "config" / "demo.toml").detector.for_signal("outage")


def draw(rate: float, days: float, seed: int, outage: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(expected reports a minute without the outage, each five minutes' gamma level, counts): bursty counts around
    `rate` (x a daily wave), with the 5x outage at ONSET when asked."""
    rng = np.random.default_rng(seed)
    minutes = int(days * 1440)
    rates = rate * (1.0 - 0.3 * np.cos(2 * np.pi * (np.arange(minutes) / 1440 - 3 / 24)))
    lifted = rates.copy()
    if outage:
        lift = np.ones(LENGTH)
        lift[:RAMP] = (np.arange(RAMP) + 0.5) / RAMP
        lifted[ONSET:ONSET + LENGTH] *= 1.0 + (PEAK - 1.0) * lift
    level = np.repeat(rng.gamma(LEVEL_SHAPE, 1.0 / LEVEL_SHAPE, minutes // 5 + 1), 5)[:minutes]
    return rates, level, rng.poisson(lifted * level)


def series(rate: float, days: float, seed: int, outage: bool) -> tuple[np.ndarray, np.ndarray]:
    """What the detector sees: the report counts of `draw`, and the brand's other mentions in the same bursts (their
    own random stream, so the reports are the oracles' very counts)."""
    rates, level, counts = draw(rate, days, seed, outage)
    return counts, np.random.default_rng([seed, 1]).poisson(rates * OTHERS * level)


def deciding(monitor: SignalMonitor, start: datetime, count: int, scale: float) -> int | None:
    """The fewest reports of a filling minute that already decide its opening (None: the minute opens nothing)."""
    if count == 0 or monitor.peek(start, count, scale) is None:
        return None
    low, high = 1, count
    while low < high:  # the decision only firms up as reports come in
        middle = (low + high) // 2
        if monitor.peek(start, middle, scale) is not None:
            high = middle
        else:
            low = middle + 1
    return low


def run_one(settings: DetectorSettings, drawn: tuple[np.ndarray, np.ndarray], seed: int = 0
            ) -> list[tuple[float, str]]:
    """(minute, kind) of every episode event the detector raises over the drawn counts: at the end of its bucket, or
    for an opening at the report that decides it, a minute's reports coming at uniform random times within it (the
    daemon judges a filling bucket as its reports come in, at the level of the last closed minute)."""
    monitor, level = SignalMonitor(settings), CommonLevel(settings)
    rng = np.random.default_rng(seed)
    out: list[tuple[float, str]] = []
    counts, others = drawn
    for i, n in enumerate(counts):
        start = START + timedelta(minutes=i)
        common = settings.common_level
        early = deciding(monitor, start, int(n), level.value if common else 1.0)
        scale = level.update(start, float(others[i])) if common else 1.0
        for event in monitor.observe(start, float(n), scale=scale):
            at = i + 1.0
            if event.kind == "open" and early is not None:
                at = i + float(np.sort(rng.random(int(n)))[early - 1])
            out.append((at, event.kind))
    return out


def measure(rate: float, settings: DetectorSettings, seeds: range) -> dict[str, Any]:
    """Onset-to-page minutes (a miss counts as never), resolutions after the end, and a quiet month's openings; the
    same without the common level."""
    detects: list[float] = []
    resolves: list[float] = []
    plain: list[float] = []
    alone = settings.model_copy(update={"common_level": False})
    for seed in seeds:
        drawn = series(rate, 2.0, seed, outage=True)
        events = run_one(settings, drawn, seed)
        first = _first_open(events)
        detects.append(float("inf") if first is None else first - ONSET)
        last = next((at for at, kind in reversed(events) if kind == "resolve"), None)
        if first is not None and last is not None and last > first:
            resolves.append(last - (ONSET + LENGTH))
        first = _first_open(run_one(alone, drawn, seed))
        plain.append(float("inf") if first is None else first - ONSET)
    quiet_draw = series(rate, 30.0, 1000 + int(rate * 10), outage=False)
    quiet = run_one(settings, quiet_draw)
    from bench.onset_bound import floors  # imported here: it imports draw from this module

    return {"rate": rate, "median": statistics.median(detects), "within": sum(d <= TARGET_MINUTES for d in detects),
            "floors": floors(rate, seeds, 1000 + int(rate * 10)),
            "paged": sum(d != float("inf") for d in detects), "outages": len(detects),
            "resolve_median": statistics.median(resolves) if resolves else None,
            "quiet_opens": sum(kind == "open" for _, kind in quiet), "plain_median": statistics.median(plain),
            "plain_quiet_opens": sum(kind == "open" for _, kind in run_one(alone, quiet_draw))}


def _first_open(events: list[tuple[float, str]]) -> float | None:
    """When the outage's episode opened (an opening more than 2 minutes before the onset is a false alarm)."""
    return next((at for at, kind in events if kind == "open" and at >= ONSET - 2), None)


def run(seeds: range = range(1, 21)) -> list[dict[str, Any]]:
    """Every volume in RATES."""
    settings = outage_settings()
    return [measure(rate, settings, seeds) for rate in RATES]


def _minutes(value: float) -> str:
    """A median onset-to-page for the table."""
    return "never" if value == float("inf") else f"{value:.1f}"


def markdown(rows: list[dict[str, Any]]) -> list[str]:
    """The section of docs/benchmarks.md."""
    lines = [
        "### Onset to page against report volume (outage detector alone)", "",
        f"`python bench/bench_onset.py`: {rows[0]['outages']} seeds per volume; outage reports ramp over {RAMP} "
        f"minutes to {PEAK:g}x their baseline and hold it {LENGTH} minutes; counts are bursty like the drill's "
        "(a gamma level per five minutes). The page comes at the report that decides the opening (a minute's "
        "reports at uniform random times within it). The last two columns run the same detector on the same "
        "counts without the common level (`common_level = false`): the outage series judged against its own "
        "baseline alone, its bursts learned as over-dispersion.", "",
        "| baseline reports/min | median onset to page (min) | oracle, level known | oracle, burst model known "
        "| paged within 2 min | paged | median real end to resolved (min) | openings in 30 quiet days "
        "| without the common level: median onset to page (min) | ... openings in 30 quiet days |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        median, level, bursts = (_minutes(r["median"]), _minutes(r["floors"]["level"]),
                                 _minutes(r["floors"]["bursts"]))
        resolve = "-" if r["resolve_median"] is None else f"{r['resolve_median']:.0f}"
        lines.append(f"| {r['rate']:g} | {median} | {level} | {bursts} | {r['within']}/{r['outages']} "
                     f"| {r['paged']}/{r['outages']} | {resolve} | {r['quiet_opens']} | {_minutes(r['plain_median'])} "
                     f"| {r['plain_quiet_opens']} |")
    met = [r["rate"] for r in rows if r["median"] <= TARGET_MINUTES and r["quiet_opens"] == 0]
    false = sum(r["quiet_opens"] for r in rows)
    lines += ["", ("The 2-minute median is met from " + f"{min(met):g} reports a minute up." if met else
                   "The 2-minute median is not met at any of these volumes.")
              + " Without the common level, the page comes one to four minutes after the ramp reaches 5x: when the "
              "level varies by about a third from one five minutes to the next, a minute at 3-4x is not yet told "
              "apart from a burst. With it, each minute's level is read from the brand's other mentions (about "
              f"{OTHERS:.0f} for each report), so what is left is mostly the Poisson noise of the reports themselves: "
              "at a few reports a minute the page still waits for a second or third raised minute in the scan "
              "window, and the sparsest series needs a longer one."
              + (f" The quiet months opened {false} episode{'s' * (false != 1)} in "
                 f"{30 * len(rows)} series-days." if false else ""), "", *_oracle_note(rows), ""]
    return lines


def _oracle_note(rows: list[dict[str, Any]]) -> list[str]:
    """What the oracle columns are, and what they say about the 2-minute target."""
    known = [r["rate"] for r in rows if r["floors"]["level"] <= TARGET_MINUTES]
    bursts = [r["floors"]["bursts"] for r in rows]
    ahead = [r["rate"] for r in rows if r["median"] <= r["floors"]["bursts"]]
    return [
        "The oracle columns (`bench/onset_bound.py`) are Page's CUSUM for exactly this 5x shift (in the worst case "
        "the quickest test of a step of known size), run report by report on the same counts, with its threshold "
        "at the highest value it reaches in the same quiet month. Both know each minute's true expectation; one "
        "also knows every five minutes' gamma level, which leaves only the Poisson noise, the other only the gamma "
        "model and where its five-minute blocks start. Our detector knows neither the expectation nor the level: it "
        "learns the baseline, and estimates the level from the brand's other mentions. "
        + (f"Even knowing the level, a 2-minute median needs {min(known):g} reports a minute or more"
           if known else "Even knowing the level, no volume here reaches a 2-minute median")
        + f"; knowing only the burst model, the oracle pages after {min(bursts):.1f} to {max(bursts):.1f} minutes "
        + (f"and our detector is as quick or quicker at {', '.join(f'{v:g}' for v in ahead)} reports a minute."
           if ahead else "and our detector is slower at every volume.")]


def section() -> list[str]:
    """The markdown section for bench/run.py."""
    return markdown(run())


if __name__ == "__main__":
    print("\n".join(section()))
