"""Re-derive the simulator's embedded constants from the shared development data (never run at generation time).

Usage: python -m monitor.simulate.derive ../shared/data
Prints the figures that monitor/simulate/constants.py embeds; only figures are carried over, never text.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np

INCIDENT_QUANTILES = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100)


def hour_of_week_profile(folder: Path) -> tuple[np.ndarray, list[float]]:
    """Median over series and weeks of hourly volume / its centred 7-day rolling median; smoothed, mean 1."""
    hows: list[np.ndarray] = []
    ratios: list[np.ndarray] = []
    dispersion: list[float] = []
    for path in sorted(folder.glob("Twitter_volume_*.csv")):
        with open(path) as handle:
            rows = [(datetime.fromisoformat(r["timestamp"]), float(r["value"])) for r in csv.DictReader(handle)]
        hours: dict[datetime, list[float]] = {}
        for stamp, value in rows:
            hours.setdefault(stamp.replace(minute=0, second=0), []).append(value)
        keys = sorted(k for k, v in hours.items() if len(v) >= 10)
        volume = np.array([np.mean(hours[k]) * 12 for k in keys])
        level = np.array([np.median(volume[max(0, i - 84):i + 84]) for i in range(len(volume))])
        hows.append(np.array([k.weekday() * 24 + k.hour for k in keys]))
        ratios.append(volume / np.maximum(level, 1e-9))
        dispersion.append(_dispersion(np.array([v for _, v in rows])))
    how, ratio = np.concatenate(hows), np.concatenate(ratios)
    profile = np.array([np.median(ratio[how == h]) for h in range(168)])
    profile = (np.roll(profile, 1) + 2 * profile + np.roll(profile, -1)) / 4
    return profile / profile.mean(), dispersion


def _dispersion(counts: np.ndarray) -> float:
    """Gamma shape k of 5-minute counts around a 1-hour running median: var(count/level) - E[1/level] = 1/k."""
    level = np.array([np.median(counts[max(0, i - 6):i + 7]) for i in range(len(counts))])
    ok = level >= 5
    if ok.sum() < 100:
        return float("nan")
    ratio = np.clip(counts[ok] / level[ok], 0, np.percentile(counts[ok] / level[ok], 99.5))
    excess = float(np.var(ratio) - np.mean(1 / level[ok]))
    return 1 / excess if excess > 0 else float("inf")


def incident_quantiles(path: Path) -> list[float]:
    """Duration quantiles (minutes) of real incidents (impact minor, major or critical; maintenance left out)."""
    with open(path) as handle:
        durations = [float(r["duration_minutes"]) for r in csv.DictReader(handle)
                     if r["impact"] in ("minor", "major", "critical")]
    return [float(x) for x in np.percentile(durations, INCIDENT_QUANTILES)]


def complaint_mix(path: Path) -> dict[str, float]:
    """Share of negative, neutral and positive tweets addressing a brand, and of neutral ones asking a question."""
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    shares = Counter(r["airline_sentiment"] for r in rows)
    out = {k: v / len(rows) for k, v in shares.items()}
    questions = sum(1 for r in rows if r["airline_sentiment"] == "neutral" and "?" in r["text"])
    out["neutral_question"] = questions / len(rows)
    return out


def main(argv: list[str]) -> None:
    """Print every derived constant."""
    data = Path(argv[0] if argv else "../shared/data")
    profile, dispersion = hour_of_week_profile(data / "volume" / "nab_realTweets")
    print("HOUR_OF_WEEK =", [round(float(x), 3) for x in profile])
    print("gamma shape k per series:", [round(k, 1) for k in dispersion], "median", np.nanmedian(dispersion))
    print("INCIDENT_MINUTES_QUANTILES =", incident_quantiles(data / "incidents" / "downtime_windows.csv"))
    print("mix:", complaint_mix(data / "complaints" / "us_airline_tweets_2015-02-16_to_21.csv"))


if __name__ == "__main__":
    main(sys.argv[1:])
