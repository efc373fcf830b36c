"""What detectors report (episode events, per-bucket verdicts) and the helpers they share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

EventKind = Literal["open", "escalate", "resolve"]


@dataclass(slots=True)
class EpisodeEvent:
    """One decision about an anomalous episode of a series: it opened, grew, or is over."""

    kind: EventKind
    at: datetime          # when it was decided (aware UTC): its bucket's end, or sooner for an opening that a
                          # bucket still filling already made certain
    started_at: datetime  # start of the first anomalous bucket of this episode
    severity: int         # 1..10, grows with the excess over baseline and with duration
    value: float          # count in the deciding bucket
    expected: float       # baseline expectation for that bucket
    peak: float           # highest bucket count so far in the episode


@dataclass(slots=True)
class Verdict:
    """The baseline's judgement of one bucket."""

    expected: float       # baseline expectation (mentions in this bucket)
    score: float          # this bucket's Gaussian-equivalent score of its negative-binomial upper tail
    excess: float         # count minus expected
    anomalous: bool       # some window scores over the threshold with an excess of min_excess or more (and,
                          # when the long-horizon gate is on, the bucket's excess is extreme for the series)
    judged: bool          # False while the baseline has seen too little to judge
    window_score: float = 0.0  # the best score of a window with enough excess (tail-calibrated, Bonferroni)
    window: int = 0       # that window's length in buckets (0 when none)
    lead: int = 0         # buckets before this one where that window's excess begins
    window_peak: float = 0.0  # highest count in the window from there on
    window_total: float = 0.0     # that window's count ...
    window_expected: float = 0.0  # ... and its expectation



def buckets_for(minutes: float, bucket_seconds: int, least: int = 1) -> int:
    """How many whole buckets cover `minutes` (rounded up, at least `least`)."""
    return max(least, math.ceil(minutes * 60.0 / bucket_seconds - 1e-9))


def anscombe(count: float) -> float:
    """Variance-stabilising transform of a count: about unit variance for Poisson counts."""
    return 2.0 * math.sqrt(max(count, 0.0) + 0.375)


def inverse_anscombe(value: float) -> float:
    """The count whose Anscombe transform is `value` (never negative)."""
    return max(0.0, value * value / 4.0 - 0.375)


def severity_of(value: float, expected: float, min_excess: float, minutes: float) -> int:
    """Severity 1..10: two levels per doubling of the excess over baseline, plus up to 3 for duration."""
    scale = max(expected, min_excess, 1.0)
    magnitude = math.log2(1.0 + max(0.0, value - expected) / scale)
    bonus = 0 if minutes < 15.0 else min(3, int(math.log2(minutes / 7.5)))
    return max(1, min(10, round(1.0 + 2.0 * magnitude) + bonus))
