"""Exact upper tails of Poisson and negative-binomial counts, as Gaussian-equivalent scores (stdlib only)."""

from __future__ import annotations

import math
from statistics import NormalDist

MAX_SCORE = 40.0
_ITERATIONS = 300
_EPS = 1e-14
_TINY = 1e-300
_NORMAL = NormalDist()


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _ITERATIONS + 1):
        m2 = 2 * m
        for numerator in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                          -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def beta_regularized(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def gamma_regularized(a: float, x: float) -> float:
    """P(a, x), the regularized lower incomplete gamma function."""
    if x <= 0.0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        for n in range(1, _ITERATIONS * 3):
            term *= x / (a + n)
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        return min(1.0, total * math.exp(log_front))
    b, c, d = x + 1.0 - a, 1.0 / _TINY, 1.0 / (x + 1.0 - a)
    h = d
    for n in range(1, _ITERATIONS + 1):
        an, b = -n * (n - a), b + 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = b + an / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


def upper_tail(count: float, mean: float, overdispersion: float) -> float:
    """P(X >= count) for X negative binomial with this mean and 1/k (Poisson when 1/k is 0)."""
    k = math.ceil(count - 1e-9)
    if k <= 0:
        return 1.0
    if mean <= 0.0:
        return 0.0
    if overdispersion <= 1e-9:
        return gamma_regularized(k, mean)
    size = 1.0 / overdispersion
    return beta_regularized(k, size, mean / (mean + size))


def tail_score(count: float, mean: float, overdispersion: float, tests: int = 1) -> float:
    """The Gaussian z with the same upper-tail probability as `count` (Bonferroni over `tests`; 0 at or below mean)."""
    if count <= mean:
        return 0.0
    return z_of(upper_tail(count, mean, overdispersion) * tests)


def z_of(p: float) -> float:
    """The Gaussian z whose upper tail is `p` (0 from p = 0.5 up, at most MAX_SCORE)."""
    if p <= 0.0:
        return MAX_SCORE
    if p >= 0.5:
        return 0.0
    return min(MAX_SCORE, -_NORMAL.inv_cdf(p))
