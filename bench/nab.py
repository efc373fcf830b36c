"""Numenta Anomaly Benchmark scoring: windows, probationary period, scaled sigmoid, profiles, normalisation.

A faithful re-implementation of NAB's `Sweeper` (nab/sweeper.py) and of the normalisation in its runner:
every row whose anomaly score reaches the threshold is a detection; inside a window only the earliest one
counts (scaled sigmoid of its position, 1 at the window's left edge, ~0 at its right edge); each detection
outside a window costs A_FP x the scaled sigmoid of its distance past the preceding window (a full A_FP
before the first window or three window-widths past it); a window without detection costs A_FN; rows of
the probationary period (min(15% of the rows, 750)) are not scored. A corpus score is normalised so that
a detector that never fires scores 0 and one that fires at the start of every window scores 100.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Profile:
    """An application profile: the weights of true positives, false positives and false negatives."""

    tp: float
    fp: float
    fn: float


STANDARD = Profile(tp=1.0, fp=0.11, fn=1.0)
PROBATION_PERCENT = 0.15


@dataclass(slots=True)
class FileScore:
    """One file's raw score at a threshold, with its counts of windows and detections."""

    score: float
    windows: int          # scored windows (those reaching past the probationary period)
    detected: int         # windows with at least one detection
    false_positives: int  # detections outside every window (probationary rows excluded)


def sigmoid(x: float) -> float:
    """The standard logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


def scaled_sigmoid(position: float) -> float:
    """NAB's weight of a detection at a relative position: -1 = window start (0.987), 0 = window end (0)."""
    if position > 3.0:  # NAB: a detection more than three window widths past the last window costs a full A_FP
        return -1.0
    return 2.0 * sigmoid(-5.0 * position) - 1.0


def probationary_length(rows: int, percent: float = PROBATION_PERCENT) -> float:
    """Rows at the start of a file that are never scored: min(floor(percent x rows), percent x 5000)."""
    return min(math.floor(percent * rows), percent * 5000)


def window_indexes(timestamps: Sequence[datetime], windows: Sequence[tuple[datetime, datetime]]
                   ) -> list[tuple[int, int]]:
    """Row indexes (first, last) of each window; its edges must be row timestamps, as NAB requires."""
    where = {stamp: i for i, stamp in enumerate(timestamps)}
    out = []
    for start, end in windows:
        if start not in where or end not in where:
            raise ValueError(f"window {start.isoformat()} .. {end.isoformat()} does not start and end on rows")
        out.append((where[start], where[end]))
    return sorted(out)


def sweep_scores(rows: int, windows: Sequence[tuple[int, int]], profile: Profile = STANDARD
                 ) -> list[tuple[float, int | None]]:
    """Per row: the weighted score a detection there earns, and its window (None outside, -1 probationary)."""
    max_tp = scaled_sigmoid(-1.0)
    probation = probationary_length(rows)
    pending = list(windows)
    current: tuple[int, int] | None = None
    current_id = -1
    previous_right: int | None = None
    previous_width = 0.0
    out: list[tuple[float, int | None]] = []
    for i in range(rows):
        if pending and i == pending[0][0]:
            current = pending.pop(0)
            current_id = len(windows) - len(pending) - 1
        if current is not None:
            width = float(current[1] - current[0] + 1)
            weighted = scaled_sigmoid(-(current[1] - i + 1) / width) * profile.tp / max_tp
        else:
            past = 3.0 if previous_right is None else abs(previous_right - i) / (previous_width - 1.0)
            weighted = scaled_sigmoid(past) * profile.fp
        label: int | None = (current_id if current is not None else None) if i >= probation else -1
        out.append((weighted, label))
        if current is not None and i == current[1]:
            previous_right, previous_width = i, float(current[1] - current[0] + 1)
            current = None
    return out


def score_detections(rows: int, windows: Sequence[tuple[int, int]], detections: Sequence[bool],
                     profile: Profile = STANDARD) -> FileScore:
    """The raw NAB score of one file given a detection flag per row."""
    if len(detections) != rows:
        raise ValueError(f"{len(detections)} detection flags for {rows} rows")
    points = sweep_scores(rows, windows, profile)
    scored = {label for _, label in points if label is not None and label >= 0}
    best: dict[int, float] = dict.fromkeys(scored, -profile.fn)
    fp_total, fps = 0.0, 0
    for (weighted, label), fired in zip(points, detections, strict=True):
        if not fired or label == -1:
            continue
        if label is None:
            fp_total += weighted
            fps += 1
        else:
            best[label] = max(best[label], weighted)
    detected = sum(1 for value in best.values() if value > -profile.fn)
    return FileScore(sum(best.values()) + fp_total, len(best), detected, fps)


def best_threshold(files: Sequence[tuple[int, Sequence[tuple[int, int]], Sequence[float]]],
                   profile: Profile = STANDARD) -> tuple[float, float]:
    """The threshold maximising the summed raw score over files of (rows, windows, anomaly scores): (threshold, score).

    Exact: every distinct score is tried (NAB's optimizer searches the same curve locally).
    """
    items: list[tuple[float, int, float, int | None]] = []
    total = 0.0
    for f, (rows, windows, scores) in enumerate(files):
        points = sweep_scores(rows, windows, profile)
        labels = {label for _, label in points if label is not None and label >= 0}
        total -= profile.fn * len(labels)
        items += [(score, f, weighted, label) for score, (weighted, label) in zip(scores, points, strict=True)
                  if label != -1]
    items.sort(key=lambda item: -item[0])
    best: dict[tuple[int, int], float] = {}
    best_score, best_at, i = total, math.inf, 0
    while i < len(items):
        level = items[i][0]
        while i < len(items) and items[i][0] == level:
            _, f, weighted, label = items[i]
            if label is None:
                total += weighted
            else:
                old = best.get((f, label), -profile.fn)
                if weighted > old:
                    total += weighted - old
                    best[(f, label)] = weighted
            i += 1
        if total > best_score:
            best_score, best_at = total, level
    return best_at, best_score


def normalise(raw: float, windows: int, profile: Profile = STANDARD) -> float:
    """100 x (raw - null) / (perfect - null): null = -A_FN per window, perfect = A_TP per window."""
    null, perfect = -profile.fn * windows, profile.tp * windows
    return 100.0 * (raw - null) / (perfect - null)


def load_windows(path: Path) -> dict[str, list[tuple[datetime, datetime]]]:
    """NAB's windows file: {file name: [[start, end], ...]} with naive UTC timestamps."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {name: [(_stamp(a), _stamp(b)) for a, b in spans] for name, spans in raw.items()}


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
