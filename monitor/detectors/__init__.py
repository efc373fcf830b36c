"""Spike detectors: causal, per brand and per signal, against a time-of-week baseline."""

from monitor.detectors.base import EpisodeEvent, Verdict
from monitor.detectors.baseline import SeasonalBaseline
from monitor.detectors.counter import BucketCounter
from monitor.detectors.seasonal import SeasonalDetector
from monitor.detectors.tracker import SignalMonitor

__all__ = ["BucketCounter", "EpisodeEvent", "SeasonalBaseline", "SeasonalDetector", "SignalMonitor", "Verdict"]
