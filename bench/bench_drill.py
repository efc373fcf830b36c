"""Drill timings: outage onset to first page, resolution after the real end, and quiet months, on generated scenarios.

Every scenario runs through the whole pipeline (`run_drill`: classify, store, detect, incidents, alerts) on a
simulated clock taken from the mentions, with the demo configuration, so the timings are what on-call would see.
Besides the demo brand's loud outages (50-400x its reports), the "outage-5x" scenario puts the target's literal case:
a large brand (Acme at 40x its volume, so 1-2 outage reports a minute at working hours) whose reports peak at 5x.
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import statistics
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.drill_bound import BUDGET_DAYS, PLAIN_SHIFT, TOPIC_SHIFT, onset_bound
from monitor.detectors.level import CommonLevel
from monitor.detectors.seasonal import SeasonalDetector
from monitor.drill import run_drill
from monitor.settings import Settings, load_settings
from monitor.simulate import generate, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
TARGET_DETECT_MINUTES = 2.0
TARGET_RESOLVE_MINUTES = 15.0
QUIET_DAYS = 30.0
YEAR = 365.0  # the oracle's budget shown per seed: one false page per series a year
LARGE_SCENARIO = "outage-5x"  # Acme scaled to 120,000 mentions a day; the demo config's Acme brand matches it


def demo_settings() -> Settings:
    """The demo configuration: its brands, languages and the default detector."""
    return load_settings(ROOT / "config" / "demo.toml")


def _drill(settings: Settings, scenario: str, seed: int, days: float | None, work: Path
           ) -> tuple[dict, dict, Path]:
    path = work / f"{scenario}-{seed}.jsonl"
    write_jsonl(generate(scenario, seed=seed, days=days), path)
    truth = json.loads(Path(str(path) + ".truth.json").read_text(encoding="utf-8"))
    report = asyncio.run(run_drill(settings, path, db_url=f"sqlite:///{work / f'{scenario}-{seed}.db'}",
                                   progress=False))
    return truth, report, path


def _minutes(later: str | None, earlier: str) -> float | None:
    if later is None:
        return None
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds() / 60.0


def report_rates(path: Path, brand: str, start: datetime, ramp: float) -> tuple[float, float]:
    """Generated outage reports a minute: in the hour before the onset, and in the 10 minutes after the ramp."""
    before = after = 0
    lo, top = start - timedelta(hours=1), start + timedelta(minutes=ramp)
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if '"intent": "outage"' not in line:
                continue
            mention = json.loads(line)
            at = datetime.fromisoformat(mention["created_at"])
            if mention["brand"] != brand:
                continue
            if lo <= at < start:
                before += 1
            elif top <= at < top + timedelta(minutes=10):
                after += 1
    return before / 60.0, after / 10.0


def best_outage_score(settings: Settings, db: Path, brand: str, start: datetime, end: datetime) -> float:
    """The highest score the outage signal reached from onset to real end: the drill's stored labels, each author
    once a minute as the pipeline counts them, replayed through the configured detector (it opens at threshold),
    with the brand's common level read from its other mentions when the outage signal uses it."""
    rows = sqlite3.connect(db).execute(
        "SELECT m.created_at, m.author_id, c.label FROM mentions m JOIN classifications c ON c.mention_id = m.id "
        "WHERE m.brand = ? ORDER BY m.created_at", (brand,)).fetchall()
    reports: dict[str, set[str]] = {}
    others: dict[str, set[str]] = {}
    for at, author, label in rows:
        (reports if label == "outage" else others).setdefault(str(at)[:16], set()).add(author)
    if not reports:
        return 0.0
    tuned = settings.detector.for_signal("outage")
    detector, level = SeasonalDetector(tuned), CommonLevel(settings.detector)
    minute = datetime.fromisoformat(str(rows[0][0])[:16]).replace(tzinfo=start.tzinfo)
    best = 0.0
    while minute < end:
        key = minute.strftime("%Y-%m-%d %H:%M")
        scale = level.update(minute, len(others.get(key, ())))
        verdict = detector.observe(minute, len(reports.get(key, ())), scale if tuned.common_level else 1.0)
        if minute >= start:
            best = max(best, verdict.score, verdict.window_score)
        minute += timedelta(minutes=1)
    return best


def outage_case(settings: Settings, seed: int, work: Path, scenario: str = "outage") -> dict[str, Any]:
    """One outage scenario: minutes from onset to the first page and from the real end to the resolution."""
    truth, report, path = _drill(settings, scenario, seed, None, work)
    db = work / f"{scenario}-{seed}.db"
    outage = next(e for e in truth["events"] if e["kind"] == "outage")
    mine = [i for i in report["incidents"] if i["brand"] == outage["brand"]]
    alerts = [a for a in report["alerts"] if mine and a["incident"] == mine[0]["id"]]
    first = next((a for a in alerts if a["kind"] == "open"), None)
    clear = next((a for a in alerts if a["kind"] == "resolve"), None)
    start = datetime.fromisoformat(outage["start"])
    before, after = report_rates(path, outage["brand"], start, outage["ramp_minutes"])
    return {
        "seed": seed, "peak": outage["peak"], "minutes": outage["minutes"], "incidents": len(report["incidents"]),
        "detect": _minutes(first["at"], outage["start"]) if first else None,
        "resolve": _minutes(mine[0]["resolved_at"], outage["end"]) if mine else None,
        "all_clear": _minutes(clear["at"], outage["end"]) if clear else None,
        "signal": mine[0]["signal"] if mine else None, "mentions": report["mentions"],
        "daily_volume": truth["brands"][0]["daily_volume"], "reports_before": before, "reports_after": after,
        "best_score": best_outage_score(settings, db, outage["brand"], start, datetime.fromisoformat(outage["end"])),
        "bound": onset_bound(db, outage["brand"], outage["topic"], start) if scenario == LARGE_SCENARIO else None,
    }


def quiet_case(settings: Settings, seed: int, work: Path, days: float = QUIET_DAYS) -> dict[str, Any]:
    """A month of normal traffic with a praise campaign: how many incidents opened (the target is none)."""
    truth, report, _ = _drill(settings, "campaign", seed, days, work)
    return {"seed": seed, "days": days, "mentions": report["mentions"], "incidents": len(report["incidents"]),
            "opened": [(i["signal"], i["opened_at"]) for i in report["incidents"]],
            "campaigns": sum(e["kind"] == "campaign" for e in truth["events"])}


def _timings(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Median (a missed outage counts as never paged) and max onset-to-first-page, resolutions, over a group."""
    detects = [c["detect"] for c in cases if c["detect"] is not None]
    resolves = [c["resolve"] for c in cases if c["resolve"] is not None]
    median = statistics.median([math.inf if c["detect"] is None else c["detect"] for c in cases]) if cases else None
    return {"outages": len(cases), "found": len(detects),
            "median_detect": None if median is None or math.isinf(median) else median,
            "max_detect": max(detects, default=float("nan")), "resolved": len(resolves),
            "min_resolve": min(resolves, default=float("nan")), "max_resolve": max(resolves, default=float("nan"))}


def _met(t: dict[str, Any]) -> bool:
    """Every outage paged with a median within target, and every one resolved within target of its real end."""
    return (t["found"] == t["outages"] and t["median_detect"] is not None
            and t["median_detect"] <= TARGET_DETECT_MINUTES
            and t["resolved"] == t["outages"] and t["max_resolve"] <= TARGET_RESOLVE_MINUTES)


def run(seeds: tuple[int, ...] = (1, 2, 3, 4, 5), quiet_seeds: tuple[int, ...] = (1,),
        large_seeds: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)) -> dict[str, Any]:
    """Run the outage seeds, the large brand's 5x outages and the quiet month; return summaries and cases."""
    settings = demo_settings()
    work = Path(tempfile.mkdtemp(prefix="bench-drill-"))
    outages = [outage_case(settings, seed, work) for seed in seeds]
    large = [outage_case(settings, seed, work, LARGE_SCENARIO) for seed in large_seeds]
    quiet = [quiet_case(settings, seed, work) for seed in quiet_seeds]
    summary = {**_timings(outages), "quiet_days": sum(q["days"] for q in quiet),
               "quiet_incidents": sum(q["incidents"] for q in quiet)}
    summary["met"] = _met(summary) and summary["quiet_incidents"] == 0
    large_summary = _timings(large)
    large_summary["met"] = _met(large_summary)
    return {"summary": summary, "outages": outages, "quiet": quiet, "large": large, "large_summary": large_summary}


def markdown(result: dict[str, Any]) -> list[str]:
    """The drill section of docs/benchmarks.md."""
    s = result["summary"]
    lines = [
        "## Drill timings", "",
        "Generated scenarios through the whole pipeline (`run_drill`, demo configuration, simulated clock). "
        f"Targets: median onset-to-first-page <= {TARGET_DETECT_MINUTES:g} min, every incident resolved within "
        f"{TARGET_RESOLVE_MINUTES:g} min of the real end, no incident in {QUIET_DAYS:g} days of normal traffic "
        "with a praise campaign.", "",
        "| scenario | seed | outage peak (x baseline reports) | outage length (min) | onset to first page (min) "
        "| real end to resolved (min) | incidents |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in result["outages"]:
        lines.append(f"| outage | {c['seed']} | {c['peak']:.0f} | {c['minutes']:.0f} | {_fmt(c['detect'])} "
                     f"| {_fmt(c['resolve'])} | {c['incidents']} |")
    for q in result["quiet"]:
        lines.append(f"| campaign, {q['days']:g} days ({q['mentions']:,} mentions) | {q['seed']} | - | - | - | - "
                     f"| {q['incidents']} |")
    lines += ["", f"Median onset to first page: **{_median(s)}** (max {_fmt(s['max_detect'])}); "
              f"latest resolution after the real end: **{_fmt(s['max_resolve'])} min**; incidents in "
              f"{s['quiet_days']:g} quiet days: **{s['quiet_incidents']}**. Targets met: "
              f"**{'yes' if s['met'] else 'no'}**.", ""]
    return lines + large_markdown(result)


def large_markdown(result: dict[str, Any]) -> list[str]:
    """The row group of the target's literal case: a large brand whose outage reports peak at 5x their baseline."""
    large, t = result["large"], result["large_summary"]
    if not large:
        return []
    volume = large[0]["daily_volume"]
    detector = demo_settings().detector.for_signal("outage")
    threshold, recovery = detector.threshold, detector.recovery_reports
    lines = [
        "### 5x baseline, large brand", "",
        f"Scenario `{LARGE_SCENARIO}`: Acme at {volume:,.0f} mentions a day (40x the demo brand, same brand "
        "configuration and detector from `config/demo.toml`), 10-16 hours of normal traffic, then an outage whose "
        "reports ramp (1-3 min, as in every outage) to exactly 5x their baseline, fading to 3.8x by its end. "
        "Reports a minute are the generated ones (ground truth): in the hour before the onset, and in the 10 "
        "minutes after the ramp. The highest outage score is the outage signal's best score from onset to real end, "
        f"replaying the drill's stored labels through the same detector (it opens at {threshold:g}). An outage "
        "episode resolves when its reports are calm against the baseline and improbably quiet for its own level, "
        f"or sooner, once they are calm for quiet_minutes and {recovery} people have written that it works again "
        "(\"back up now\", \"adesso va\"): the generator has a few such posts after each fix, and the baseline "
        "learned overnight may be below the morning's level by the end. The all-clear page is sent after the "
        "monitoring period that follows the resolution.", "",
        "| seed | mentions | outage length (min) | reports/min before | reports/min at peak | highest outage score "
        "| onset to first page (min) | oracle's page, one false page a year (min) | real end to resolved (min) "
        "| real end to all-clear page (min) | incidents |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in large:
        oracle = (c["bound"] or {}).get(YEAR)
        lines.append(f"| {c['seed']} | {c['mentions']:,} | {c['minutes']:.0f} | {c['reports_before']:.1f} "
                     f"| {c['reports_after']:.1f} | {c['best_score']:.1f} | {_fmt(c['detect'])} | {_fmt(oracle)} "
                     f"| {_fmt(c['resolve'])} | {_fmt(c['all_clear'])} | {c['incidents']} |")
    lines += ["", f"Paged {t['found']} of {t['outages']}; median onset to first page (a miss counts as never): "
              f"**{_median(t)}** (max of the paged {_fmt(t['max_detect'])}); resolution relative to the real end: "
              f"{_fmt(t['min_resolve'])} to {_fmt(t['max_resolve'])} min (negative: resolved while the outage was "
              f"still on). Targets met: **{'yes' if t['met'] else 'no'}**.", "",
              "The oracle (`bench/drill_bound.py`) is Page's CUSUM run report by report on the same stored labels, "
              "knowing what the detector does not: the rates before the onset, and that the outage multiplies the "
              f"reports naming its topic by {TOPIC_SHIFT:g} and those naming none by {PLAIN_SHIFT:g} (reports on "
              "other topics tell it nothing). Its threshold is set for a false-alarm budget per series "
              "(a Markov chain gives the average time between false pages), not on the outage. Its median onset to "
              "page: " + ", ".join(f"**{_oracle_median(large, days)}** at one false page per series in "
                                   f"{_days(days)}" for days in BUDGET_DAYS)
              + f". {_oracle_verdict(large)}", ""]
    missed = [c["best_score"] for c in large if c["detect"] is None]
    late = [c for c in large if c["resolve"] is not None and c["resolve"] > TARGET_RESOLVE_MINUTES]
    if not t["met"]:
        lines += [
            "What limits it: the onset is the start of a 1-3 minute ramp, so the first minute at the full 5x ends "
            "2-4 minutes after it. At 1-2 reports a minute a 5x outage brings 5-10 a minute against an expected "
            "1-2. The brand's mentions come in bursts (the generator draws one gamma level every five minutes for "
            "all of them); the outage series is judged against its baseline times the brand's current level, read "
            "from its other 80-odd mentions a minute (`common_level`), which takes most of that burst noise out. "
            "Reports also count per product area (`outage:<topic>`): most of an outage's reports name its "
            "topic, whose series is sparser and pages sooner than the total. What is left is the Poisson noise "
            f"of a few reports: one minute at 5x scores under the outage threshold of {threshold:g} after the "
            "correction for scanning several windows, so the page waits for a further report or two. A threshold "
            "of 4 paged a tenth of a minute sooner and opened an incident in the quiet month; 2- and 3-minute scan "
            "windows gained 0.1 min (within the seeds' noise) for more openings in bench_onset's quiet months. "
            "The page goes out at the report that decides the opening, not at the end of its minute."
            + (f" {len(missed)} of {len(large)} outages never crossed (highest scores "
               f"{min(missed):.1f}-{max(missed):.1f})." if missed else "")
            + (" An episode ends only after a quiet stretch that is calm against the baseline and improbably quiet "
               "for the episode's own level. After some outages (seed" + "s" * (len(late) > 1) + " "
               + ", ".join(str(c["seed"]) for c in late) + ") the trailing reports sat between the two for a while, "
               "so that evidence came later than the target." if late else ""),
            ""]
    return lines


def section() -> list[str]:
    """The markdown section for bench/run.py."""
    return markdown(run())


def _median(timings: dict[str, Any]) -> str:
    """The median onset-to-first-page, or 'never' when more than half the outages were missed."""
    value = timings["median_detect"]
    return "never (more than half missed)" if value is None else f"{value:.1f} min"


def _oracle_minutes(large: list[dict[str, Any]], days: float) -> float:
    """The oracle's median onset to page over the large-brand outages at one budget (never counts as never)."""
    return statistics.median([math.inf if p is None else p for p in ((c["bound"] or {}).get(days) for c in large)])


def _oracle_median(large: list[dict[str, Any]], days: float) -> str:
    """That median in words."""
    value = _oracle_minutes(large, days)
    return "never" if math.isinf(value) else f"{value:.1f} min"


def _oracle_verdict(large: list[dict[str, Any]]) -> str:
    """Whether the oracle, at one false page per series a year, meets the onset target on the same outages."""
    median = _oracle_minutes(large, YEAR)
    if median > TARGET_DETECT_MINUTES:
        return ("At one false page a year the oracle's median is past the target too: the target asks more of "
                "these few reports than even a detector that knows their rates gets from them (bench_onset below "
                "shows from which volume of reports it is met).")
    return (f"At one false page a year the oracle meets the target ({median:.1f} min): the detector could page "
            "sooner on these reports.")


def _days(days: float) -> str:
    """A false-alarm budget in words."""
    return {180.0: "half a year", 365.0: "a year", 1095.0: "three years"}.get(days, f"{days:g} days")


def _fmt(value: float | None) -> str:
    return "missed" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    outcome = run()
    print("\n".join(markdown(outcome)))
    for case in outcome["quiet"]:
        if case["opened"]:
            print("opened in the quiet month:", case["opened"])
