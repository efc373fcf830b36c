"""NAB standard-profile score on the five realTweets series: our detector beside reproducible baselines.

Our detector runs through `monitor.backtest.backtest` (the `backtest` command's causal code path) with one
configuration for all five files, `bench/nab_detector.toml`: the seasonal detector with its long-horizon gate
and aftershock echo on, settings chosen on these five files (as NAB chose every published detector's threshold
on its corpus). It is scored on its alert onsets (a detection at the row whose bucket opened an episode); the
live defaults are scored too, untouched, and each chosen setting is moved one step either way to show how
sharp the choice is. The baselines give a score per row; as NAB does, each gets the threshold that maximises
its corpus score on these very files (an exact sweep). The published scores are NAB's own, read from
published_detectors_scores.json.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import nab
from monitor.backtest import backtest, read_series
from monitor.settings import DetectorSettings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "volume" / "nab_realTweets"
GAUSSIAN_WINDOW = 6400  # NAB's windowedGaussian window (rows) ...
GAUSSIAN_STEP = 100     # ... and how many new rows it waits for before sliding
DAY = 288               # 5-minute rows per day: the seasonal period of the ESD
CONFIG = ROOT / "bench" / "nab_detector.toml"
# One step either way for each chosen setting of nab_detector.toml (the sensitivity table).
STEPS: dict[str, tuple[float, float]] = {
    "threshold": (1.5, 2.5), "extreme_days": (14.0, 56.0), "extreme_quantile": (0.99, 0.997),
    "extreme_factor": (1.75, 2.25), "echo_hours": (12.0, 36.0), "echo_factor": (1.0, 2.0),
}
HOLDOUT_KEYS = ("threshold", "extreme_quantile", "extreme_factor", "echo_factor")  # the leave-one-file-out grid


class Corpus:
    """The five series, their windows as row indexes, and the published scores."""

    def __init__(self, folder: Path = DATA) -> None:
        windows = nab.load_windows(folder / "windows.json")
        self.files: dict[str, tuple[list[tuple[datetime, float]], list[tuple[int, int]]]] = {}
        for name in sorted(windows):
            rows = read_series(folder / name)
            self.files[name] = (rows, nab.window_indexes([when for when, _ in rows], windows[name]))
        self.published: dict[str, float] = json.loads(
            (folder / "published_detectors_scores.json").read_text(encoding="utf-8"))["scores"]
        self.runs: dict[str, dict[str, nab.FileScore]] = {}  # our detector's per-file scores by settings

    @property
    def windows(self) -> int:
        """Scored windows over the corpus."""
        return sum(nab.score_detections(len(rows), wins, [False] * len(rows)).windows
                   for rows, wins in self.files.values())


def score_flags(corpus: Corpus, flags: dict[str, list[bool]]) -> dict[str, Any]:
    """Normalised corpus score of per-row detection flags, with the counts behind it."""
    raw = detected = fps = 0.0
    for name, (rows, wins) in corpus.files.items():
        result = nab.score_detections(len(rows), wins, flags[name])
        raw, detected, fps = raw + result.score, detected + result.detected, fps + result.false_positives
    return {"score": nab.normalise(raw, corpus.windows), "detected": int(detected), "false_positives": int(fps)}


def file_scores(corpus: Corpus, settings: DetectorSettings) -> dict[str, nab.FileScore]:
    """Our detector's raw score on each file under `settings` (each configuration is run once per corpus)."""
    key = settings.model_dump_json()
    if key not in corpus.runs:
        flags = ours(corpus, settings)
        corpus.runs[key] = {name: nab.score_detections(len(rows), wins, flags[name])
                            for name, (rows, wins) in corpus.files.items()}
    return corpus.runs[key]


def summary(corpus: Corpus, scores: dict[str, nab.FileScore]) -> dict[str, Any]:
    """Normalised corpus score of per-file results, with the counts behind it."""
    return {"score": nab.normalise(sum(f.score for f in scores.values()), corpus.windows),
            "detected": sum(f.detected for f in scores.values()),
            "false_positives": sum(f.false_positives for f in scores.values())}


def score_swept(corpus: Corpus, scores: dict[str, list[float]]) -> dict[str, Any]:
    """Normalised corpus score of per-row anomaly scores at the best threshold over these files."""
    threshold, _ = nab.best_threshold([(len(rows), wins, scores[name]) for name, (rows, wins) in corpus.files.items()])
    flags = {name: [s >= threshold for s in scores[name]] for name in corpus.files}
    return {**score_flags(corpus, flags), "threshold": threshold}


def nab_settings(path: Path = CONFIG) -> DetectorSettings:
    """The detector configuration scored on the corpus (the [detector] table of nab_detector.toml)."""
    return load_settings(path).detector


def ours(corpus: Corpus, settings: DetectorSettings | None = None) -> dict[str, list[bool]]:
    """Our detector's alert onsets, one causal backtest per file (nab_detector.toml unless given settings)."""
    settings = settings or nab_settings()
    out = {}
    for name, (rows, _) in corpus.files.items():
        where = {when: i for i, (when, _) in enumerate(rows)}
        flags = [False] * len(rows)
        for onset in backtest(rows, settings):
            flags[where[datetime.fromisoformat(onset["timestamp"])]] = True
        out[name] = flags
    return out


def windowed_gaussian(values: list[float], window: int = GAUSSIAN_WINDOW, step: int = GAUSSIAN_STEP) -> list[float]:
    """NAB's windowedGaussian detector, row by row: 1 - the upper Gaussian tail of |value - mean| / std under the
    window (the first `window` rows, then slid forward `step` rows at a time); causal, 0 for the first row."""
    data: list[float] = []
    pending: list[float] = []
    mean = std = 0.0
    out: list[float] = []
    for value in values:
        out.append(1.0 - 0.5 * math.erfc(abs(value - mean) / std / math.sqrt(2.0)) if data else 0.0)
        if len(data) < window:
            data.append(value)
        else:
            pending.append(value)
            if len(pending) < step:
                continue
            data, pending = data[step:] + pending, []
        mean, std = float(np.mean(data)), float(np.std(data)) or 1e-6
    return out


def seasonal_esd(values: list[float], share: float = 0.002) -> list[float]:
    """Twitter's seasonal hybrid ESD (the `sesd` package) over the whole series: a rank score for each anomaly."""
    import sesd

    found = sesd.seasonal_esd(np.asarray(values, dtype=float), periodicity=DAY, hybrid=True,
                              max_anomalies=max(1, math.ceil(share * len(values))), alpha=0.05)
    scores = [0.0] * len(values)
    for rank, index in enumerate(found):
        scores[int(index)] = float(len(found) - rank)  # earlier removal = more extreme
    return scores


def run() -> dict[str, Any]:
    """Score every detector on the corpus; return the rows of the comparison table."""
    corpus = Corpus()
    values = {name: [v for _, v in rows] for name, (rows, _) in corpus.files.items()}
    rows: list[dict[str, Any]] = []
    chosen = nab_settings()
    rows.append({"detector": "ours (seasonal NB scan + long-horizon gate + echo, causal)",
                 "how": "own decision rule; bench/nab_detector.toml, chosen on these files",
                 **summary(corpus, file_scores(corpus, chosen))})
    gaussian = {name: windowed_gaussian(v) for name, v in values.items()}
    rows.append({"detector": "windowedGaussian (NAB's algorithm, our run)", "how": "best threshold on these files",
                 **score_swept(corpus, gaussian)})
    rows.append({"detector": "static threshold on the value", "how": "best threshold on these files",
                 **score_swept(corpus, values)})
    try:
        esd = {name: seasonal_esd(v) for name, v in values.items()}
    except ImportError:
        print("bench_nab: skipping the seasonal hybrid ESD baseline: the sesd package is not installed "
              "(pip install -e '.[bench]')", file=sys.stderr)
        rows.append({"detector": "seasonal hybrid ESD (sesd)", "how": "not installed: pip install -e '.[bench]'",
                     "score": math.nan, "detected": 0, "false_positives": 0})
    else:
        rows.append({"detector": "seasonal hybrid ESD (sesd, whole series: not causal)",
                     "how": "best rank cut-off on these files", **score_swept(corpus, esd)})
    rows.append({"detector": "null (never fires)", "how": "check: must be 0",
                 **score_flags(corpus, {n: [False] * len(r) for n, (r, _) in corpus.files.items()})})
    starts = {}
    for name, (series, wins) in corpus.files.items():
        flags = [False] * len(series)
        for first, _ in wins:
            flags[first] = True
        starts[name] = flags
    rows.append({"detector": "perfect (fires at each window start)", "how": "check: must be 100",
                 **score_flags(corpus, starts)})
    rows.append({"detector": "ours, live defaults (gate and echo off)", "how": "own decision rule; untuned",
                 **summary(corpus, file_scores(corpus, DetectorSettings(bucket_seconds=chosen.bucket_seconds)))})
    return {"rows": rows, "published": corpus.published, "windows": corpus.windows,
            "sensitivity": sensitivity(corpus, chosen), "holdout": holdout(corpus, chosen)}


def sensitivity(corpus: Corpus, chosen: DetectorSettings) -> list[dict[str, Any]]:
    """The corpus score with each chosen setting moved one step down and one step up (the others kept)."""
    out = []
    for key, steps in STEPS.items():
        for value in steps:
            moved = chosen.model_copy(update={key: value})
            out.append({"setting": key, "chosen": getattr(chosen, key), "value": value,
                        **summary(corpus, file_scores(corpus, moved))})
    return out


def holdout(corpus: Corpus, chosen: DetectorSettings) -> dict[str, Any]:
    """Leave one file out: the grid point (each HOLDOUT_KEYS setting at its chosen value or one step either way)
    best on the other four files, scored on the fifth; the held-out scores together, normalised."""
    axes = [(getattr(chosen, key), *STEPS[key]) for key in HOLDOUT_KEYS]
    grid = [chosen.model_copy(update=dict(zip(HOLDOUT_KEYS, values, strict=True)))
            for values in itertools.product(*axes)]
    runs = [file_scores(corpus, settings) for settings in grid]
    raw, picks = 0.0, {}
    for name in corpus.files:
        best = max(range(len(grid)), key=lambda i: sum(f.score for n, f in runs[i].items() if n != name))
        raw += runs[best][name].score
        picks[name] = {key: getattr(grid[best], key) for key in HOLDOUT_KEYS}
    return {"score": nab.normalise(raw, corpus.windows), "picks": picks, "grid": len(grid)}


def markdown(result: dict[str, Any]) -> list[str]:
    """The NAB section of docs/benchmarks.md."""
    lines = [
        "## NAB realTweets (standard profile)", "",
        f"Five 5-minute tweet-volume series, {result['windows']} labelled windows; A_TP = 1, A_FP = 0.11, "
        "A_FN = 1, probationary period min(15%, 750 rows); normalised over the five files together (null = 0, "
        "perfect = 100). Produced by `bench/bench_nab.py`; the scorer is `bench/nab.py`.", "",
        "Our detector runs through `monitor/backtest.py` (the daemon's `SignalMonitor`, causal) with one "
        "configuration for all five files, `bench/nab_detector.toml`. Two options of `[detector]` that the live "
        "defaults leave off do most of the work: a long-horizon gate (an episode opens only on a bucket whose "
        "excess over the seasonal baseline reaches `extreme_factor` x the `extreme_quantile` of the excesses of "
        "the last `extreme_days`: ordinary peaks of a bursty series, daily or not, stay under it) and an echo (for "
        "a while after an episode ends, a new one needs a bucket of `echo_factor` x its peak, a bar halved every "
        "`echo_hours`: an episode's aftershocks do not page again). Those settings and the threshold were "
        "**chosen on these five files**, as NAB chose each published detector's threshold on its corpus (NAB "
        "optimised over its 58 files, not these five alone, which makes our in-sample choice the more favourable "
        "one); the baselines below get the same treatment, their best threshold on these files.", "",
        "| detector | threshold | score | windows found | false positives |", "|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        if math.isnan(row["score"]):
            lines.append(f"| {row['detector']} | {row['how']} | skipped | - | - |")
            continue
        lines.append(f"| {row['detector']} | {row['how']} | {row['score']:.1f} | {row['detected']} "
                     f"| {row['false_positives']} |")
    mine, published = result["rows"][0]["score"], result["published"]
    best = max(published, key=published.get)
    others = [published[best], *(r["score"] for r in result["rows"][1:4] if not math.isnan(r["score"]))]
    verdict = "met" if mine > max(others) else "not met"
    lines += ["", f"Ours {mine:.1f} against the best published score ({best} {published[best]:.1f}) and every "
              f"baseline run here: goal (above all of them) **{verdict}** (in-sample: see the held-out figure "
              "below)."]
    lines += ["", "How sharp the choice is: each setting of `bench/nab_detector.toml` moved one step either way, "
              "the others kept (the chosen configuration scores "
              f"{mine:.1f}; ARTime's published score is {published[best]:.1f}).", "",
              "| setting | chosen | moved to | score | windows found | false positives |", "|---|---|---|---|---|---|"]
    lines += [f"| {row['setting']} | {row['chosen']:g} | {row['value']:g} | {row['score']:.1f} | {row['detected']} "
              f"| {row['false_positives']} |" for row in result.get("sensitivity", [])]
    if "holdout" in result:
        held = result["holdout"]
        lines += ["", f"Chosen on four files, scored on the fifth (leave one file out; each time the best of "
                  f"{held['grid']} grid points: {', '.join(HOLDOUT_KEYS)} at the chosen value or one step either "
                  f"way): **{held['score']:.1f}**, a fairer guess of what a series the settings were not chosen on "
                  f"would see; the {mine:.1f} above is in-sample."]
    lines += ["", "Published NAB scores on the same five files (NAB's own results at their standard-profile "
              "thresholds):", "", "| detector | score |", "|---|---|"]
    lines += [f"| {name} | {score:.1f} |" for name, score in
              sorted(result["published"].items(), key=lambda item: -item[1])]
    return [*lines, ""]


def section() -> list[str]:
    """The markdown section for bench/run.py, or one line saying why it was skipped."""
    if not DATA.exists():
        return ["## NAB realTweets (standard profile)", "",
                f"Skipped: {DATA} is absent (the shared data folder only exists on development machines).", ""]
    return markdown(run())


if __name__ == "__main__":
    print("\n".join(section()))
