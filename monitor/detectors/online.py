"""Small online estimators the baseline is built from: decayed ratios, time shapes, dispersion, a tail."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque


class Decayed:
    """A ratio of two exponentially decayed sums: an EWMA that starts as a plain running mean."""

    __slots__ = ("decay", "den", "num")

    def __init__(self, decay: float) -> None:
        self.decay, self.num, self.den = decay, 0.0, 0.0

    def add(self, num: float, den: float = 1.0, decay: float | None = None) -> None:
        """Decay both sums (by `decay` when given) and add one observation."""
        decay = self.decay if decay is None else decay
        self.num = self.num * decay + num
        self.den = self.den * decay + den

    def value(self, default: float = 0.0) -> float:
        """The current ratio, or `default` before any observation."""
        return self.num / self.den if self.den > 0 else default


class Shape:
    """Factors per slot of a cycle (a day or a week cut in equal slots), each shrunk towards its parent's."""

    __slots__ = ("decay", "den", "num", "parent", "prior_buckets", "prior_count", "seen", "size", "slot_hours")

    def __init__(self, cycle_hours: float, slot_hours: float, decay: float, prior_count: float,
                 prior_buckets: float, parent: Shape | None = None) -> None:
        self.size = max(1, round(cycle_hours / slot_hours))
        self.slot_hours = cycle_hours / self.size
        self.decay, self.prior_count, self.prior_buckets = decay, prior_count, prior_buckets
        self.parent = parent  # a coarser shape (or the same time of day for a weekly one)
        self.num = [0.0] * self.size
        self.den = [0.0] * self.size
        self.seen = [0.0] * self.size

    def at(self, hours: float) -> float:
        """The factor at `hours` into the cycle, shrunk towards the parent's (or 1) while its slot has seen little."""
        slot = int(hours / self.slot_hours) % self.size
        fallback = 1.0 if self.parent is None else self.parent.at(hours)
        ratio = (self.num[slot] + self.prior_count * fallback) / (self.den[slot] + self.prior_count)
        weight = self.seen[slot] / (self.seen[slot] + self.prior_buckets)
        return weight * ratio + (1.0 - weight) * fallback

    def learn(self, hours: float, count: float, expected: float, weight: float = 1.0) -> None:
        """Add one bucket (its count, and the level it is compared with) to its slot, with a weight."""
        slot = int(hours / self.slot_hours) % self.size
        decay = self.decay ** weight
        self.num[slot] = self.num[slot] * decay + weight * count
        self.den[slot] = self.den[slot] * decay + weight * expected
        self.seen[slot] = self.seen[slot] * decay + weight


class Overdispersion:
    """Method-of-moments 1/k of negative-binomial counts (variance mean + mean^2/k), from decayed sums.

    Evidence is weighed in squared expected counts: sparse series carry little of it, so they keep the prior.
    """

    __slots__ = ("decay", "least", "memo", "num", "prior", "prior_weight", "seen", "square")

    def __init__(self, decay: float, prior: float, prior_weight: float, least: float = 100.0) -> None:
        self.decay = decay
        self.num = self.square = self.seen = 0.0  # decayed sums: excess variance, squared means, observations
        self.prior, self.prior_weight, self.least = prior, prior_weight, least
        self.memo: tuple[float, float] | None = None  # (prior, value) until the next observation

    def add(self, count: float, mean: float) -> None:
        """Learn one (clipped) count and its expectation; near-empty buckets weigh little (their squares are noise)."""
        weight = mean / (1.0 + mean)
        decay = self.decay
        self.num = self.num * decay + ((count - mean) ** 2 - mean) * weight
        self.square = self.square * decay + mean * mean * weight
        self.seen = self.seen * decay + 1.0
        self.memo = None

    def value(self, prior: float | None = None) -> float:
        """The estimate, shrunk towards the prior (or `prior`) by `prior_weight` observations' worth; never negative."""
        prior = self.prior if prior is None else prior
        memo = self.memo
        if memo is not None and memo[0] == prior:
            return memo[1]
        scale = self.square / self.seen if self.seen > 0 else 0.0  # the mean squared expectation
        weight = max(self.prior_weight * scale, self.least)
        value = max(0.0, (self.num + prior * weight) / (self.square + weight))
        self.memo = (prior, value)
        return value


class TailQuantile:
    """Tracks a high quantile of scores by stochastic approximation; its ratio to the Gaussian one is the burstiness."""

    __slots__ = ("normal", "p", "step", "value")

    def __init__(self, p: float, normal: float, step: float) -> None:
        self.p, self.normal, self.step, self.value = p, normal, step, normal

    def learn(self, score: float, weight: float = 1.0) -> None:
        """Move towards the quantile: up by step x p above it, down by step x (1 - p) below."""
        self.value += weight * self.step * (self.p - (score <= self.value))

    def factor(self) -> float:
        """How much wider than Gaussian the upper tail is (never below 1)."""
        return max(1.0, self.value / self.normal)


class WindowQuantile:
    """A quantile of the last `size` values, exact: a ring of them beside a sorted copy (O(log n) search)."""

    __slots__ = ("q", "ring", "sorted")

    def __init__(self, size: int, q: float) -> None:
        self.q = q
        self.ring: deque[float] = deque(maxlen=max(1, size))
        self.sorted: list[float] = []

    def add(self, value: float) -> None:
        """Slide the window one value forward."""
        if len(self.ring) == self.ring.maxlen:
            del self.sorted[bisect_left(self.sorted, self.ring[0])]
        self.ring.append(value)
        insort(self.sorted, value)

    def value(self) -> float:
        """The q-quantile of the values in the window (nearest rank below; 0 while empty)."""
        if not self.sorted:
            return 0.0
        return self.sorted[min(len(self.sorted) - 1, int(self.q * (len(self.sorted) - 1)))]

    def __len__(self) -> int:
        return len(self.ring)
