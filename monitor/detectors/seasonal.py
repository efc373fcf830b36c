"""Causal seasonal baseline for one count series, and the window scan that judges each closed bucket."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.clock import as_utc
from monitor.detectors.base import Verdict, anscombe, buckets_for, inverse_anscombe
from monitor.detectors.online import Decayed, Overdispersion, Shape, TailQuantile, WindowQuantile
from monitor.detectors.tails import tail_score, upper_tail, z_of
from monitor.settings import DetectorSettings

MIN_HISTORY = 3              # buckets seen before the first judgement
LEVEL_HALFLIFE_MINUTES = 60.0  # memory of the recent level, or longer for sparse series: it always spans
LEVEL_EVENTS = 20.0            # this many expected events, so one report does not move a level of 0.03 a minute
HUBER = 3.0                  # ordinary buckets are clipped at this many deviations before the baseline learns them
ABSORB = 0.1                 # an anomalous bucket teaches the level only mu + ABSORB x max(mu, 1): a slow creep
SHAPE_ABSORB = 3.0           # ... and its time slot at most SHAPE_ABSORB x mu, at half the weight, half a day
SHAPE_SPIKE_WEIGHT = 0.5     # later (so an episode never excuses itself): a one-off barely moves the shape, a
SHAPE_DELAY_HOURS = 12.0     # rush that recurs at the same time every day is learned within a few days
SLOW_HALFLIFE_HOURS = 24.0   # the slow level the shape is learned against
NOISE_HALFLIFE_HOURS = 24.0  # memory of the over-dispersion estimate
DAY_HALFLIFE_DAYS = 7.0      # hour-of-day shape memory
WEEK_HALFLIFE_WEEKS = 3.0    # hour-of-week adjustment memory
SLOT_HOURS = (0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 24.0)  # shape resolution: the first >= a bucket
SHAPE_PRIOR = 10.0           # pseudo-count keeping a sparse slot's factor near 1
SHAPE_TRUST_DAYS = 3.0       # a time-of-day factor is half trusted (over flat) after this many days of data
WEEK_TRUST_WEEKS = 0.5       # a time-of-week factor is half trusted (over the time-of-day one) after this many weeks
PRIOR_OVERDISPERSION = 0.1   # 1/k of a negative binomial; the shared Twitter 5-minute counts give k ~ 8
PRIOR_HOURS = 6.0            # hours' worth of buckets behind that prior (for sums of buckets: one hour's worth
WINDOW_PRIOR_HOURS = 1.0     # behind the single-bucket estimate, which is right when the noise comes in bursts)
NOISE_CLIP = 5.0             # residuals are clipped at this many deviations before they teach the noise ...
HINDSIGHT_MINUTES = 15.0     # ... this much later, unless a significant bucket came in between
WINDOW_MINUTES = (1.0, 5.0, 15.0, 60.0)  # the scan sums the latest buckets over each of these spans
TAIL_P, TAIL_NORMAL = 0.99, 2.326        # tracked score quantile, and its value for Gaussian scores
TAIL_STEP_PER_HOUR = 0.6     # how fast that quantile moves (per hour of buckets)
TAIL_SPIKE_WEIGHT = 0.3      # anomalous buckets move it less: one outage barely numbs, daily bursts do
LARGE_EXPECTED = 100.0      # window expectations from here on are judged by a gamma approximation of the tail
EPOCH_WEEKDAY = 3            # 1970-01-01 was a Thursday (Monday = 0)


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


def _decay(halflife_seconds: float, step_seconds: float) -> float:
    return 0.5 ** (step_seconds / halflife_seconds)


class SeasonalBaseline:
    """Expected count = recent level x hour-of-day x hour-of-week factors, plus its negative-binomial noise."""

    def __init__(self, settings: DetectorSettings) -> None:
        bucket = settings.bucket_seconds
        per_hour = 3600.0 / bucket
        self.bucket_seconds = bucket
        self.warmup = buckets_for(settings.warmup_minutes, bucket, least=0)
        self.tz = None if settings.timezone.upper() == "UTC" else ZoneInfo(settings.timezone)
        self.level_halflife = LEVEL_HALFLIFE_MINUTES * 60.0 / bucket  # in buckets
        self.recent = Decayed(0.5 ** (1.0 / self.level_halflife))
        self.slow = Decayed(_decay(SLOW_HALFLIFE_HOURS * 3600.0, bucket))
        self.noise_decay = _decay(NOISE_HALFLIFE_HOURS * 3600.0, bucket)
        self.prior_weight = PRIOR_HOURS * per_hour
        self.noise = Overdispersion(self.noise_decay, PRIOR_OVERDISPERSION, self.prior_weight)
        slot = next((h for h in SLOT_HOURS if h * 3600 >= bucket), SLOT_HOURS[-1])
        per_slot = max(1.0, slot * per_hour)  # buckets per slot and cycle
        self.day = Shape(24.0, slot, 0.5 ** (1.0 / (per_slot * DAY_HALFLIFE_DAYS)), SHAPE_PRIOR,
                         per_slot * SHAPE_TRUST_DAYS)
        self.week = Shape(168.0, slot, 0.5 ** (1.0 / (per_slot * WEEK_HALFLIFE_WEEKS)), SHAPE_PRIOR,
                          per_slot * WEEK_TRUST_WEEKS, self.day)
        self.memory = (1 + self.recent.decay) / (1 - self.recent.decay)  # effective buckets behind the level
        self.seen = 0
        self.clock = 0.0  # POSIX time of the latest bucket learned
        self.deferred: deque[tuple[float, float, float, float, float]] = deque()  # (due, day, week, count, level)
        # Ordinary buckets teach the shape once their slot is over: a slot's factor comes from earlier cycles only,
        # so a rise that is not yet significant cannot excuse itself within minutes (the level moves slowly).
        self.slot_seconds = self.day.slot_hours * 3600.0
        self.pending: deque[tuple[float, float, float, float, float]] = deque()

    def hours(self, bucket_start: datetime) -> tuple[float, float]:
        """Hours into the local day and into the local week (from Monday 00:00) of the bucket's middle."""
        middle = bucket_start.timestamp() + self.bucket_seconds / 2.0
        if self.tz is None:
            week = (middle / 3600.0 + EPOCH_WEEKDAY * 24.0) % 168.0
            return week % 24.0, week
        local = datetime.fromtimestamp(middle, self.tz)
        day = local.hour + local.minute / 60.0 + local.second / 3600.0
        return day, local.weekday() * 24.0 + day

    def shape(self, week: float) -> float:
        """The seasonal factor at `week` hours into the week: time of week, shrunk towards time of day."""
        return self.week.at(week)

    def expected(self, bucket_start: datetime) -> float:
        """The baseline count for the bucket starting at `bucket_start`."""
        return self.recent.value() * self.shape(self.hours(as_utc(bucket_start))[1])

    def overdispersion(self, noise: Overdispersion | None = None) -> float:
        """Estimated 1/k of a negative binomial (variance mu + mu^2/k); never below the prior while young."""
        own = self.noise.value()
        # A sum of buckets is taken as never more over-dispersed than one bucket (slow drifts are the level's job).
        value = own if noise is None or noise is self.noise else min(own, noise.value(own))
        return max(value, PRIOR_OVERDISPERSION) if self.seen < self.warmup else value

    def spread(self, mu: float) -> float:
        """Standard deviation of an Anscombe residual for expectation `mu`, widened while the level is young."""
        young = 1.0 + 1.0 / max(1.0, min(self.seen, self.memory))
        return math.sqrt((1.0 + self.overdispersion() * mu) * young)

    def judging_overdispersion(self, mu: float, noise: Overdispersion | None = None) -> float:
        """1/k for judging an expectation `mu`: the noise plus the level's own uncertainty while young."""
        invk = self.overdispersion(noise)
        return invk + (invk + 1.0 / max(mu, 0.1)) / max(1.0, min(self.seen, self.memory))

    def noise_lesson(self, count: float, mu: float) -> float:
        """The count that teaches the single-bucket noise: its residual clipped at NOISE_CLIP deviations."""
        centre, sd = anscombe(mu), self.spread(mu)
        return inverse_anscombe(centre + max(-NOISE_CLIP * sd, min(NOISE_CLIP * sd, anscombe(count) - centre)))

    def learn(self, start: datetime, count: float, mu: float, anomalous: bool) -> None:
        """Learn one bucket: ordinary ones clipped (Huber), anomalous ones only as a slow creep of the level."""
        self.clock = start.timestamp()
        day, week = self.hours(start)
        sd = self.spread(mu)
        while self.deferred and self.deferred[0][0] <= self.clock:
            _, old_day, old_week, old_count, old_level = self.deferred.popleft()
            self.day.learn(old_day, old_count, old_level, SHAPE_SPIKE_WEIGHT)
            self.week.learn(old_week, old_count, old_level, SHAPE_SPIKE_WEIGHT)
        while self.pending and self.pending[0][0] <= self.clock:
            _, old_day, old_week, old_count, old_level = self.pending.popleft()
            self.day.learn(old_day, old_count, old_level)
            self.week.learn(old_week, old_count, old_level)
        shape = self.shape(week)
        seasonal = count
        centre = anscombe(mu)
        residual = anscombe(count) - centre
        if self.seen < MIN_HISTORY:
            taught = count
        elif anomalous:
            taught = min(count, mu + ABSORB * max(mu, 1.0))
            seasonal = min(count, SHAPE_ABSORB * mu)
        else:
            taught = seasonal = inverse_anscombe(centre + max(-HUBER * sd, min(HUBER * sd, residual)))
        slow = self.slow.value()
        if slow > 0 and anomalous:
            self.deferred.append((self.clock + SHAPE_DELAY_HOURS * 3600.0, day, week, seasonal, slow))
        elif slow > 0:
            self.pending.append((self.clock + self.slot_seconds, day, week, seasonal, slow))
        events = self.recent.value() * shape
        halflife = max(self.level_halflife, LEVEL_EVENTS / events) if events > 0 else self.level_halflife
        self.recent.add(taught, shape, 0.5 ** (1.0 / halflife))
        self.slow.add(taught, shape)
        self.seen += 1


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

    def observe(self, bucket_start: datetime, count: float) -> Verdict:
        """Judge one closed bucket against the baseline so far, then let the baseline learn from it."""
        base = self.baseline
        start = as_utc(bucket_start)
        mu = base.recent.value() * base.shape(base.hours(start)[1])
        judged = base.seen >= MIN_HISTORY
        raws: list[float] = []
        sums: list[tuple[float, float]] = []
        best, window, best_sums = -math.inf, 0, (count, mu)
        if judged:
            self.counts.append(count)
            self.means.append(mu)
            counts, means = list(self.counts), list(self.means)
            tails: list[float] = []
            for size, noise in zip(self.windows, self.noises, strict=False):
                if size > len(counts):
                    break
                total, expected = sum(counts[-size:]), sum(means[-size:])
                tails.append(_tail(total, expected, base.judging_overdispersion(mu, noise)))
                sums.append((total, expected))
                raws.append(z_of(tails[-1]))
            # Bonferroni over the windows that could alarm (those with an excess of min_excess or more).
            eligible = [i for i, (total, expected) in enumerate(sums) if total - expected >= self.min_excess]
            for i in eligible:
                score = z_of(tails[i] * len(eligible)) / self.tails[i].factor()
                if score > best:
                    best, window, best_sums = score, self.windows[i], sums[i]
        bucket_score = raws[0] / self.tails[0].factor() if raws else 0.0
        # Significant: the baseline learns it as a spike. Anomalous (may open an episode): also loud for the long run.
        significant = judged and best >= self.threshold
        anomalous = significant and self.extreme(count - mu)
        if self.history is not None:
            self.history.add(count - mu)
        for raw, tail in zip(raws, self.tails, strict=False):
            tail.learn(raw, TAIL_SPIKE_WEIGHT if significant else 1.0)
        self._teach_noise(judged, significant, count, mu, sums)
        base.learn(start, count, mu, significant)
        lead, peak = self._onset(window) if anomalous else (0, count)
        return Verdict(mu, bucket_score, count - mu, anomalous, judged, max(best, 0.0), window, lead, peak, *best_sums)

    def _teach_noise(self, judged: bool, significant: bool, count: float, mu: float,
                     sums: list[tuple[float, float]]) -> None:
        """Queue this bucket's noise lessons; they are learned HINDSIGHT_MINUTES later unless a significant bucket
        came first: the not-yet-significant rise of an outage is its start, not evidence of noisy counts."""
        if significant:
            self.lessons.clear()
        elif judged:
            base = self.baseline
            lesson = []
            for (total, expected), noise in zip(sums, self.noises, strict=False):
                if noise is base.noise:
                    lesson.append((noise, base.noise_lesson(count, mu), mu))
                    continue
                spread = NOISE_CLIP * math.sqrt(expected + base.overdispersion(noise) * expected * expected)
                lesson.append((noise, max(expected - spread, min(expected + spread, total)), expected))
            self.lessons.append(lesson)
        while len(self.lessons) > self.hindsight:
            for noise, taught, expected in self.lessons.popleft():
                noise.add(taught, expected)

    def extreme(self, excess: float) -> bool:
        """Whether `excess` is loud for the long run: extreme_factor x its quantile over the last days (or no gate)."""
        return self.history is None or excess >= self.extreme_factor * self.history.value()

    def _onset(self, window: int) -> tuple[int, float]:
        """How many buckets before this one the unbroken run above baseline began (within `window`), and its peak."""
        counts, means = list(self.counts)[-window:], list(self.means)[-window:]
        lead = 0
        while lead + 1 < len(counts) and counts[-lead - 2] > means[-lead - 2]:
            lead += 1
        return lead, max(counts[len(counts) - 1 - lead:])

    def calm(self, size: int | None = None) -> bool:
        """Whether the latest `size` buckets (quiet_minutes' worth) together score under half the threshold."""
        size = min(size or self.quiet, len(self.counts))
        if size == 0:
            return True
        total, expected = sum(list(self.counts)[-size:]), sum(list(self.means)[-size:])
        tail = next((t for w, t in zip(reversed(self.windows), reversed(self.tails), strict=True) if w <= size),
                    self.tails[0])
        noise = next((n for w, n in zip(reversed(self.windows), reversed(self.noises), strict=True) if w <= size),
                     self.noises[0])
        invk = self.baseline.judging_overdispersion(expected / size, noise)
        return tail_score(total, expected, invk) / tail.factor() < self.threshold / 2.0

    def below(self, size: int, rate: float, bar: float) -> bool:
        """Whether the latest `size` buckets are improbably few (lower-tail score >= `bar`) for an episode still
        running `rate` above baseline: a dip of over-dispersed counts is not the end of a sparse outage."""
        size = min(size, len(self.counts))
        if size == 0 or rate <= 0:
            return True
        total, expected = sum(list(self.counts)[-size:]), sum(list(self.means)[-size:]) + rate * size
        noise = next((n for w, n in zip(reversed(self.windows), reversed(self.noises), strict=True) if w <= size),
                     self.noises[0])
        invk = self.baseline.judging_overdispersion(expected / size, noise)
        lower = 1.0 - upper_tail(math.floor(total + 1e-9) + 1, expected, invk)
        return z_of(lower) >= bar

    def settle(self) -> None:
        """Count the buckets still in the scan windows as explained (an episode ended), so they cannot re-open it."""
        self.counts = deque(self.means, maxlen=self.counts.maxlen)

    def warm(self, history: Iterable[tuple[datetime, float]]) -> None:
        """Learn from backfilled (bucket_start, count) pairs, oldest first."""
        for start, count in history:
            self.observe(start, float(count))
