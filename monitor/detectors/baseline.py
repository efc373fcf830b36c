"""Causal seasonal baseline of one count series: recent level x time-of-day and time-of-week shapes, and its noise."""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.clock import as_utc
from monitor.detectors.base import anscombe, buckets_for, inverse_anscombe
from monitor.detectors.online import Decayed, Overdispersion, Shape
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
EPOCH_WEEKDAY = 3            # 1970-01-01 was a Thursday (Monday = 0)


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

    def evidence(self) -> float:
        """Buckets' worth of data behind the level (at least 1): how far its own uncertainty has shrunk."""
        return max(1.0, min(self.seen, self.memory))

    def judged(self, bucket_start: datetime, scale: float = 1.0) -> float:
        """The expectation a bucket is judged against: the baseline x `scale`, but never below half an event over
        the buckets behind the level (a few silent buckets make a level of 0, not a certainty that none will come)."""
        return max(self.expected(bucket_start) * scale, 0.5 / self.evidence())

    def overdispersions(self, noises: list[Overdispersion]) -> list[float]:
        """Estimated 1/k of a negative binomial (variance mu + mu^2/k) from each of `noises` (the single-bucket
        estimate or a window's); never below the prior while young."""
        own = self.noise.value()
        # A sum of buckets is taken as never more over-dispersed than one bucket (slow drifts are the level's job).
        values = [own if noise is self.noise else min(own, noise.value(own)) for noise in noises]
        return [max(value, PRIOR_OVERDISPERSION) for value in values] if self.seen < self.warmup else values

    def overdispersion(self, noise: Overdispersion | None = None) -> float:
        """`overdispersions` of one estimate (the single-bucket one by default)."""
        return self.overdispersions([self.noise if noise is None else noise])[0]

    def spread(self, mu: float, invk: float | None = None) -> float:
        """Standard deviation of an Anscombe residual for expectation `mu` (1/k: `invk`, or the single-bucket
        estimate), widened while the level is young."""
        young = 1.0 + 1.0 / self.evidence()
        return math.sqrt((1.0 + (self.overdispersion() if invk is None else invk) * mu) * young)

    def judging_overdispersions(self, mu: float, invks: list[float]) -> list[float]:
        """1/k for judging an expectation `mu`, from each 1/k of the noise plus the level's own uncertainty."""
        level, evidence = 1.0 / max(mu, 0.1), self.evidence()
        return [invk + (invk + level) / evidence for invk in invks]

    def judging_overdispersion(self, mu: float, noise: Overdispersion | None = None) -> float:
        """`judging_overdispersions` of one estimate of the noise (the single-bucket one by default)."""
        return self.judging_overdispersions(mu, [self.overdispersion(noise)])[0]

    def noise_lesson(self, count: float, mu: float, invk: float | None = None) -> float:
        """The count that teaches the single-bucket noise: its residual clipped at NOISE_CLIP deviations (1/k as
        in `spread`)."""
        centre, sd = anscombe(mu), self.spread(mu, invk)
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
