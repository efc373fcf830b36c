"""The window scan that judges each closed bucket of one count series against its seasonal baseline."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from monitor.clock import as_utc
from monitor.detectors.base import Verdict, buckets_for
from monitor.detectors.baseline import (
    HINDSIGHT_MINUTES,
    MIN_HISTORY,
    NOISE_CLIP,
    PRIOR_OVERDISPERSION,
    WINDOW_PRIOR_HOURS,
    SeasonalBaseline,
)
from monitor.detectors.online import Overdispersion, TailQuantile, WindowQuantile
from monitor.detectors.tails import tail_score, upper_tail, z_of
from monitor.settings import DetectorSettings

WINDOW_MINUTES = (1.0, 5.0, 15.0, 60.0)  # the scan sums the latest buckets over each of these spans
TAIL_P, TAIL_NORMAL = 0.99, 2.326        # tracked score quantile, and its value for Gaussian scores
TAIL_STEP_PER_HOUR = 0.6     # how fast that quantile moves (per hour of buckets)
TAIL_SPIKE_WEIGHT = 0.3      # anomalous buckets move it less: one outage barely numbs, daily bursts do
LARGE_EXPECTED = 100.0      # window expectations from here on are judged by a gamma approximation of the tail


def _tail(total: float, expected: float, invk: float) -> float:
    """P(X >= total) for the window; within one standard deviation of the mean its value matters to nothing.

    Scores under ~1.5 neither alarm, nor end calm, nor cross the tracked 99% quantile, so the exact (and, for big
    counts, costly) tail is only computed past one standard deviation; nearer, the Gaussian tail stands in.
    """
    if total <= expected:
        return 1.0
    excess = total - expected
    variance = expected + invk * expected * expected
    if excess * excess < variance:
        return 0.5 * math.erfc(excess / math.sqrt(2.0 * variance))
    if expected < LARGE_EXPECTED:
        return upper_tail(total, expected, invk)
    # Big sums: the gamma with the same mean and variance, through the Wilson-Hilferty cube root (O(1); the exact
    # continued fraction needs ~sqrt(count) steps), with a continuity correction.
    if invk * expected < 1.0:  # Poisson-like: P(X >= k) = P(Gamma(k) <= mean), stretched by the extra variance
        k = math.ceil(total - 1e-9)
        ninth = 1.0 / (9.0 * k)
        z = ((1.0 - ninth) - (expected / k) ** (1.0 / 3.0)) / math.sqrt(ninth) / math.sqrt(variance / expected)
    else:
        shape = expected * expected / variance
        ninth = 1.0 / (9.0 * shape)
        z = (((total - 0.5) / expected) ** (1.0 / 3.0) - (1.0 - ninth)) / math.sqrt(ninth)
    return 0.5 * math.erfc(z / math.sqrt(2.0))


@dataclass(slots=True)
class _Scan:
    """The windows scanned for one bucket: raw scores, (total, expected) sums, 1/k each, and the best eligible."""

    raws: list[float] = field(default_factory=list)
    sums: list[tuple[float, float]] = field(default_factory=list)
    invks: list[float] = field(default_factory=list)  # each window's own 1/k, judged and taught from the same value
    best: float = -math.inf
    window: int = 0
    best_sums: tuple[float, float] | None = None


def _onset(counts: list[float], means: list[float]) -> tuple[int, float]:
    """How many buckets before the last one the unbroken run above baseline began (within the window), and its
    peak."""
    lead = 0
    while lead + 1 < len(counts) and counts[-lead - 2] > means[-lead - 2]:
        lead += 1
    return lead, max(counts[len(counts) - 1 - lead:])


class SeasonalDetector:
    """Judges each closed bucket by scanning windows of recent buckets against the seasonal baseline."""

    def __init__(self, settings: DetectorSettings) -> None:
        self.baseline = SeasonalBaseline(settings)
        self.threshold = settings.threshold
        self.min_excess = settings.min_excess
        bucket = settings.bucket_seconds
        self.windows = sorted({buckets_for(m, bucket) for m in WINDOW_MINUTES})
        step = TAIL_STEP_PER_HOUR * bucket / 3600.0
        self.tails = [TailQuantile(TAIL_P, TAIL_NORMAL, step) for _ in self.windows]
        # Sums over several buckets have their own over-dispersion: less than one bucket's when the noise is
        # independent from bucket to bucket, as much when it comes in bursts longer than the window.
        self.noises = [self.baseline.noise if size == 1 else
                       Overdispersion(self.baseline.noise_decay, PRIOR_OVERDISPERSION,
                                      WINDOW_PRIOR_HOURS * 3600.0 / bucket)
                       for size in self.windows]
        self.quiet = buckets_for(settings.quiet_minutes, bucket)
        self.hindsight = buckets_for(HINDSIGHT_MINUTES, bucket)
        self.lessons: deque[list[tuple[Overdispersion, float, float]]] = deque()
        # Long-horizon gate: how loud this series' ordinary peaks get over the last days (None: no gate).
        self.history = (WindowQuantile(buckets_for(settings.extreme_days * 1440.0, bucket), settings.extreme_quantile)
                        if settings.extreme_days > 0 else None)
        self.extreme_factor = settings.extreme_factor
        keep = max(self.windows[-1], 4 * self.quiet)
        self.counts: deque[float] = deque(maxlen=keep)
        self.means: deque[float] = deque(maxlen=keep)

    def observe(self, bucket_start: datetime, count: float, scale: float = 1.0) -> Verdict:
        """Judge one closed bucket against the baseline so far (x `scale`, the brand's common level), then let the
        baseline learn from it (the count as it would be at the usual level)."""
        base = self.baseline
        start = as_utc(bucket_start)
        mu = base.judged(start, scale)
        judged = base.seen >= MIN_HISTORY
        if judged:
            self.counts.append(count)
            self.means.append(mu)
            counts, means = list(self.counts), list(self.means)
        else:
            counts, means = [], []
        scan = self._scan(counts, means, judged)
        verdict = self._verdict(count, mu, judged, scan, counts, means)
        significant = judged and scan.best >= self.threshold
        if self.history is not None:
            self.history.add(count - mu)
        for raw, tail in zip(scan.raws, self.tails, strict=False):
            tail.learn(raw, TAIL_SPIKE_WEIGHT if significant else 1.0)
        self._teach_noise(judged, significant, count, mu, scan.sums, scan.invks)
        base.learn(start, count / scale, mu / scale, significant)
        return verdict

    def judge(self, bucket_start: datetime, count: float, scale: float = 1.0) -> Verdict:
        """The verdict the bucket starting at `bucket_start` would get were it to close now at `count`; learns
        nothing (a bucket still filling may already be past doubt)."""
        base = self.baseline
        mu = base.judged(as_utc(bucket_start), scale)
        judged = base.seen >= MIN_HISTORY
        counts, means = [*self.counts, count], [*self.means, mu]
        return self._verdict(count, mu, judged, self._scan(counts, means, judged), counts, means)

    def _scan(self, counts: list[float], means: list[float], judged: bool) -> _Scan:
        """Score every window ending in the latest bucket; the best one eligible to alarm, Bonferroni-corrected."""
        scan = _Scan()
        if not judged:
            return scan
        base, mu = self.baseline, means[-1]
        sizes = [size for size in self.windows if size <= len(counts)]
        scan.invks = base.overdispersions(self.noises[: len(sizes)])
        tails: list[float] = []
        sums, raws = scan.sums, scan.raws
        for size, invk in zip(sizes, base.judging_overdispersions(mu, scan.invks), strict=True):
            total, expected = sum(counts[-size:]), sum(means[-size:])
            tail = _tail(total, expected, invk)
            tails.append(tail)
            sums.append((total, expected))
            raws.append(z_of(tail))
        # Bonferroni over the windows that could alarm (those with an excess of min_excess or more).
        eligible = [i for i, (total, expected) in enumerate(scan.sums) if total - expected >= self.min_excess]
        for i in eligible:
            score = z_of(tails[i] * len(eligible)) / self.tails[i].factor()
            if score > scan.best:
                scan.best, scan.window, scan.best_sums = score, self.windows[i], scan.sums[i]
        return scan

    def _verdict(self, count: float, mu: float, judged: bool, scan: _Scan, counts: list[float],
                 means: list[float]) -> Verdict:
        """The bucket's verdict; anomalous (may open an episode): significant and, with the gate on, loud for the
        long run."""
        bucket_score = scan.raws[0] / self.tails[0].factor() if scan.raws else 0.0
        anomalous = judged and scan.best >= self.threshold and self.extreme(count - mu)
        lead, peak = _onset(counts[-scan.window:], means[-scan.window:]) if anomalous else (0, count)
        best_sums = scan.best_sums or (count, mu)
        return Verdict(mu, bucket_score, count - mu, anomalous, judged, max(scan.best, 0.0), scan.window, lead, peak,
                       *best_sums)

    def _teach_noise(self, judged: bool, significant: bool, count: float, mu: float,
                     sums: list[tuple[float, float]], invks: list[float]) -> None:
        """Queue this bucket's noise lessons; they are learned HINDSIGHT_MINUTES later unless a significant bucket
        came first: the not-yet-significant rise of an outage is its start, not evidence of noisy counts."""
        if significant:
            self.lessons.clear()
        elif judged:
            base = self.baseline
            lesson = []
            for (total, expected), noise, invk in zip(sums, self.noises, invks, strict=False):
                if noise is base.noise:
                    lesson.append((noise, base.noise_lesson(count, mu, invk), mu))
                    continue
                spread = NOISE_CLIP * math.sqrt(expected + invk * expected * expected)
                lesson.append((noise, max(expected - spread, min(expected + spread, total)), expected))
            self.lessons.append(lesson)
        while len(self.lessons) > self.hindsight:
            for noise, taught, expected in self.lessons.popleft():
                noise.add(taught, expected)

    def extreme(self, excess: float) -> bool:
        """Whether `excess` is loud for the long run: extreme_factor x its quantile over the last days (or no gate)."""
        return self.history is None or excess >= self.extreme_factor * self.history.value()

    def _latest(self, size: int) -> tuple[float, float, int]:
        """Sum of the latest `size` buckets, its baseline expectation, and the largest scan window within `size`."""
        index = max((i for i, w in enumerate(self.windows) if w <= size), default=0)
        return sum(list(self.counts)[-size:]), sum(list(self.means)[-size:]), index

    def calm(self, size: int | None = None) -> bool:
        """Whether the latest `size` buckets (quiet_minutes' worth) together score under half the threshold."""
        size = min(size or self.quiet, len(self.counts))
        if size == 0:
            return True
        total, expected, index = self._latest(size)
        invk = self.baseline.judging_overdispersion(expected / size, self.noises[index])
        return tail_score(total, expected, invk) / self.tails[index].factor() < self.threshold / 2.0

    def below(self, size: int, rate: float, bar: float) -> bool:
        """Whether the latest `size` buckets are improbably few (lower-tail score >= `bar`) for an episode still
        running `rate` above baseline: a dip of over-dispersed counts is not the end of a sparse outage."""
        size = min(size, len(self.counts))
        if size == 0 or rate <= 0:
            return True
        total, expected, index = self._latest(size)
        expected += rate * size
        invk = self.baseline.judging_overdispersion(expected / size, self.noises[index])
        lower = 1.0 - upper_tail(math.floor(total + 1e-9) + 1, expected, invk)
        return z_of(lower) >= bar

    def settle(self) -> None:
        """Count the buckets still in the scan windows as explained (an episode ended), so they cannot re-open it."""
        self.counts = deque(self.means, maxlen=self.counts.maxlen)

    def warm(self, history: Iterable[tuple[datetime, float]]) -> None:
        """Learn from backfilled (bucket_start, count) pairs, oldest first."""
        for start, count in history:
            self.observe(start, float(count))
