"""How busy a brand's mentions are right now against their own baseline: the common level that bursts share."""

from __future__ import annotations

from datetime import datetime

from monitor.detectors.baseline import MIN_HISTORY, SeasonalBaseline
from monitor.settings import DetectorSettings

# The level only explains bursts within this range. Ordinary bursts stay within it (the gamma level of the scenario
# generator, fitted to real tweet volume, passes 3 in about one five-minute block in ten thousand); beyond it, what a
# campaign or an outage's own uproar adds to a series is the series' own. Below it, a source that stops delivering
# makes the other sources' reports look at most twice as loud.
LEVEL_FLOOR, LEVEL_CAP = 0.5, 3.0


class CommonLevel:
    """The brand's current level, read from its mentions other than outage reports: 1 is as usual, 1.5 is half
    again as busy. Attention comes in bursts that lift every kind of mention at once (a viral post, the evening
    news, a busy five minutes), so a sparse series judged against its baseline x this level no longer takes its
    share of a burst for a spike of its own, and its remaining noise is smaller."""

    def __init__(self, settings: DetectorSettings) -> None:
        self.baseline = SeasonalBaseline(settings)
        self.value = 1.0

    def update(self, bucket_start: datetime, count: float) -> float:
        """Learn the closed bucket's other mentions and return the level it shows: the gamma posterior mean
        (k + count) / (k + expected), k from the learned over-dispersion, within LEVEL_FLOOR..LEVEL_CAP."""
        base = self.baseline
        mu = base.expected(bucket_start)
        if base.seen >= MIN_HISTORY and mu > 0:
            k = 1.0 / max(base.overdispersion(), 1e-3)
            self.value = min(LEVEL_CAP, max(LEVEL_FLOOR, (k + count) / (k + mu)))
            base.noise.add(base.noise_lesson(count, mu), mu)
        else:
            self.value = 1.0
        base.learn(bucket_start, count, mu, False)
        return self.value
