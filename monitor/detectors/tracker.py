"""Episodes of one series: open when it stays significantly high, escalate as it grows, resolve when calm."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.clock import as_utc
from monitor.detectors.base import EpisodeEvent, EventKind, Verdict, buckets_for, severity_of
from monitor.detectors.seasonal import SeasonalDetector
from monitor.settings import DetectorSettings

INSTANT_FACTOR = 2.0  # a bucket, or a scan window ending in it, scoring threshold x this opens at once
QUIET_EVIDENCE = 12.0  # a sparse episode needs a silence in which it would have sent ~12 reports (P(none) ~ 6e-6)
REARM_QUIETS = 2      # for this many quiet_minutes after an episode ends, a new one must last ...
REARM_BUCKETS = 3     # ... this many buckets (or be huge) before it opens
QUIET_STRETCH = 8     # ... but never more than this many times quiet_minutes
OVER_SPANS = 3        # a quiet stretch of up to this many times that may show the episode is over
TRIAL_GROWTH = 1.25   # a filling bucket whose trial opened nothing is tried again once its count grew by this much


@dataclass(slots=True)
class Episode:
    """A run of anomalous buckets: pending until it lasts long enough, then open until it calms down."""

    started_at: datetime
    peak: float
    severity: int
    hits: int = 1         # buckets the run has lasted (anomalous, then at least clearly elevated)
    opened: bool = False
    reported: int = 0     # severity in the last open/escalate event
    cool: int = 0         # buckets since the last one that was high on its own
    excess: float = 0.0   # summed count above baseline since the episode opened ...
    buckets: int = 0      # ... over this many buckets
    recovered: float = 0.0  # people saying it works again since the last bucket that was high on its own


class SignalMonitor:
    """The seasonal detector plus the episode state machine for one (brand, signal) series."""

    def __init__(self, settings: DetectorSettings) -> None:
        self.settings = settings
        self.detector = SeasonalDetector(settings)
        bucket = settings.bucket_seconds
        self.open_after = buckets_for(settings.open_after_minutes, bucket)
        self.quiet_after = buckets_for(settings.quiet_minutes, bucket)
        self.instant = settings.threshold * INSTANT_FACTOR
        self.calm_score = settings.threshold / 2.0
        self.step = timedelta(seconds=bucket)
        self.episode: Episode | None = None
        self.last: datetime | None = None
        self.run = 0  # consecutive buckets, up to this one, that are not calm
        self.since_resolve = REARM_QUIETS * self.quiet_after  # buckets since the last episode ended
        self.echo_seconds = settings.echo_hours * 3600.0
        self.last_peak = 0.0  # peak count of the last episode that ended (its echo fades from there)
        self.recovery_reports = settings.recovery_reports
        self.tried: tuple[datetime, float] | None = None  # (bucket, count) of the last peek that had to copy, in vain

    def _check_order(self, bucket_start: datetime) -> datetime:
        start = as_utc(bucket_start)
        if self.last is not None and start <= self.last:
            raise ValueError(f"bucket {start.isoformat()} is not after the previous one {self.last.isoformat()}")
        self.last = start
        return start

    def warm(self, history: Iterable[tuple[datetime, float]]) -> None:
        """Teach the baseline backfilled (bucket_start, count) pairs, oldest first; no events."""
        for start, count in history:
            self.detector.observe(self._check_order(start), float(count))

    def is_calm(self, verdict: Verdict) -> bool:
        """This bucket alone is back near baseline: a small score or an excess below min_excess."""
        return verdict.score < self.calm_score or verdict.excess < self.settings.min_excess

    def is_high(self, verdict: Verdict) -> bool:
        """This bucket alone is significantly high: a score over the threshold and an excess of min_excess."""
        return verdict.score >= self.settings.threshold and verdict.excess >= self.settings.min_excess

    def observe(self, bucket_start: datetime, count: float, recovered: float = 0.0, scale: float = 1.0
                ) -> list[EpisodeEvent]:
        """Judge one closed bucket (oldest first, each once) and return the episode events it causes; `recovered`
        counts the people who said in it that the service works again, `scale` is the brand's common level."""
        start = self._check_order(bucket_start)
        count = float(count)
        verdict = self.detector.observe(start, count, scale)
        self.run = 0 if self.is_calm(verdict) else self.run + 1
        self.since_resolve += 1
        at = start + self.step
        episode = self.episode
        if episode is None:
            if not verdict.anomalous:
                return []
            if count < self.echo():
                return []  # the last episode's aftershock: only a louder one starts a new episode
            lasted = max(verdict.lead + 1, self.run)  # elevated buckets just before belong to the run
            if self.rearming():  # ... except the fading tail of the episode that just ended: only high buckets count
                lasted = int(self.is_high(verdict))
            began = start - max(0, lasted - 1) * self.step
            episode = self.episode = Episode(began, max(count, verdict.window_peak),
                                             self._severity(verdict, count, began, at), hits=lasted)
            return self._maybe_open(episode, verdict, count, at)
        if not episode.opened:
            if not verdict.anomalous and self.is_calm(verdict):
                self.episode = None  # a blip: back near baseline before it lasted
                return []
            # Started by an anomalous bucket, a run goes on while buckets stay clearly elevated (hysteresis).
            episode.hits = (episode.hits + self.is_high(verdict) if self.rearming()
                            else max(episode.hits + 1, verdict.lead + 1))
            episode.peak = max(episode.peak, count)
            episode.severity = max(episode.severity, self._severity(verdict, count, episode.started_at, at))
            return self._maybe_open(episode, verdict, count, at)
        episode.peak = max(episode.peak, count)
        high = self.is_high(verdict)
        episode.cool = 0 if high else episode.cool + 1  # and the quiet stretch as a whole must be calm
        episode.recovered = 0.0 if high else episode.recovered + recovered
        episode.excess += max(0.0, verdict.excess)
        episode.buckets += 1
        needed = self._quiet_needed(episode)
        if self._over(episode, needed) or self._recovered(episode):
            self.episode = None
            self.detector.settle()
            self.since_resolve = 0
            self.last_peak = episode.peak
            return [self._event("resolve", episode, verdict, count, at)]
        if verdict.excess <= 0:
            return []
        episode.severity = max(episode.severity, self._severity(verdict, count, episode.started_at, at))
        if episode.severity >= episode.reported + 2:
            episode.reported = episode.severity
            return [self._event("escalate", episode, verdict, count, at)]
        return []

    def peek(self, bucket_start: datetime, count: float, scale: float = 1.0) -> tuple[EpisodeEvent, Episode] | None:
        """The open event (and its episode) that the bucket starting at `bucket_start` would cause were it to close
        now at `count` (against the baseline x `scale`, the brand's level in its last closed bucket), judged on a
        copy (nothing it judges by changes). A bucket still filling only gains counts, so an opening it already
        decides can be sent at once instead of at its end."""
        start = as_utc(bucket_start)
        if (self.episode is not None and self.episode.opened) or (self.last is not None and start <= self.last):
            return None
        if self.episode is None:  # the common case is decided without copying anything
            if count <= self.detector.baseline.judged(bucket_start, scale) or count < self.echo():
                return None  # no evidence of its own yet (its end may still open it), or an echo of the last one
            if not self.detector.judge(bucket_start, count, scale).anomalous:
                return None
        if self.tried is not None and self.tried[0] == start and count < TRIAL_GROWTH * self.tried[1]:
            return None  # a trial at a lower count of this bucket opened nothing: wait for it to grow
        trial = copy.deepcopy(self)
        opened = [e for e in trial.observe(bucket_start, count, scale=scale) if e.kind == "open"]
        if opened and trial.episode is not None:
            return opened[0], trial.episode
        self.tried = (start, count)
        return None

    def adopt(self, episode: Episode) -> None:
        """Hold an episode opened early (by `peek`) open, should its bucket have closed without opening it."""
        if self.episode is None or not self.episode.opened:
            self.episode = episode

    def end(self) -> None:
        """Close the open episode without an event (another series ended it), as a resolve would."""
        if self.episode is not None:
            self.last_peak = self.episode.peak
            self.episode = None
            self.detector.settle()
            self.since_resolve = 0

    def _quiet_needed(self, episode: Episode) -> int:
        """Buckets of quiet that end an episode: quiet_minutes, or longer when its reports come slowly."""
        rate = episode.excess / max(1, episode.buckets)
        slow = math.ceil(QUIET_EVIDENCE / rate) if rate > 0 else self.quiet_after
        return min(max(self.quiet_after, slow), QUIET_STRETCH * self.quiet_after)

    def _over(self, episode: Episode, needed: int) -> bool:
        """A quiet stretch (needed buckets, or two or three times that) is calm against the baseline and improbably
        quiet for the episode's own mean excess: sparse, noisy reports may need the longer stretch to tell."""
        rate = episode.excess / max(1, episode.buckets)
        for size in range(needed, min(episode.cool, OVER_SPANS * needed) + 1, needed):
            if self.detector.calm(size) and self.detector.below(size, rate, self.calm_score):
                return True
        return False

    def _recovered(self, episode: Episode) -> bool:
        """The public says it works again and the reports agree: calm against the baseline for quiet_minutes.

        A long outage's reports may trail off slowly, or its baseline may have risen meanwhile (a morning rush),
        so the calm-and-improbably-quiet test of `_over` can take far longer than the outage; people writing
        "back up now" tell the end sooner. A lull within the outage brings no such posts.
        """
        return (0 < self.recovery_reports <= episode.recovered and episode.cool >= self.quiet_after
                and self.detector.calm(self.quiet_after))

    def echo(self) -> float:
        """The count a new episode must reach: echo_factor x the last peak, halved every echo_hours (0: off)."""
        if self.echo_seconds <= 0 or self.last_peak <= 0:
            return 0.0
        fade = 0.5 ** (self.since_resolve * self.step.total_seconds() / self.echo_seconds)
        return self.settings.echo_factor * self.last_peak * fade

    def rearming(self) -> bool:
        """Whether the last episode ended too recently for the fast path (within REARM_QUIETS x quiet_minutes)."""
        return self.since_resolve <= REARM_QUIETS * self.quiet_after

    def _maybe_open(self, episode: Episode, verdict: Verdict, count: float, at: datetime) -> list[EpisodeEvent]:
        """Open once the excess has lasted open_after_minutes (in buckets), or at once when one bucket is huge."""
        # Just after an episode, its fading tail must not reopen it at once: a new one must last a little.
        needed = max(self.open_after, REARM_BUCKETS) if self.rearming() else self.open_after
        if episode.hits < needed and max(verdict.score, verdict.window_score) < self.instant:
            return []
        episode.opened, episode.reported = True, episode.severity
        return [self._event("open", episode, verdict, count, at)]

    def _severity(self, verdict: Verdict, count: float, started_at: datetime, at: datetime) -> int:
        """Severity from this bucket, or from the window that made it anomalous when that says more."""
        minutes = (at - started_at).total_seconds() / 60.0
        level = severity_of(count, verdict.expected, self.settings.min_excess, minutes)
        if verdict.anomalous and verdict.window > 1:
            level = max(level, severity_of(verdict.window_total, verdict.window_expected, self.settings.min_excess,
                                           minutes))
        return level

    @staticmethod
    def _event(kind: EventKind, episode: Episode, verdict: Verdict, count: float, at: datetime) -> EpisodeEvent:
        return EpisodeEvent(kind, at, episode.started_at, episode.severity, count, verdict.expected, episode.peak)
