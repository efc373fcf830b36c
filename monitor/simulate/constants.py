"""Figures carried over from real public data, derived once and embedded (see derive.py); no text is carried over."""

from __future__ import annotations

# Hour-of-week shape of mention volume, index 0 = Monday 00:00-01:00 UTC, mean 1.0.
# Derived once by `python -m monitor.simulate.derive ../shared/data` from the five NAB realTweets series
# (AAPL, AMZN, CRM, CVS, FB; 5-minute counts, Feb-Apr 2015): per series, hourly volume divided by its centred
# 7-day rolling median (removes trend and level), then the median over all series and weeks of each hour of
# the week, smoothed with a circular [1, 2, 1] / 4 kernel and scaled to mean 1. The series are US-centric
# (peak 13-20 UTC = US working day, trough 05-08 UTC); a brand can shift it to its audience's clock.
HOUR_OF_WEEK: tuple[float, ...] = (
    # Mon
    0.770, 0.767, 0.720, 0.648, 0.567, 0.501, 0.483, 0.494, 0.531, 0.596, 0.681, 0.781,
    1.003, 1.341, 1.546, 1.581, 1.612, 1.679, 1.697, 1.659, 1.542, 1.386, 1.293, 1.207,
    # Tue
    1.099, 0.998, 0.943, 0.868, 0.728, 0.623, 0.581, 0.588, 0.617, 0.658, 0.772, 0.958,
    1.204, 1.546, 1.856, 1.963, 1.939, 1.942, 1.926, 1.844, 1.741, 1.597, 1.448, 1.308,
    # Wed
    1.160, 1.034, 0.920, 0.800, 0.689, 0.601, 0.555, 0.567, 0.604, 0.651, 0.742, 0.910,
    1.146, 1.393, 1.600, 1.758, 1.899, 1.981, 1.862, 1.673, 1.585, 1.446, 1.272, 1.165,
    # Thu
    1.061, 0.965, 0.899, 0.816, 0.704, 0.596, 0.556, 0.583, 0.611, 0.653, 0.756, 0.920,
    1.159, 1.406, 1.582, 1.673, 1.664, 1.691, 1.715, 1.601, 1.470, 1.373, 1.273, 1.189,
    # Fri
    1.108, 1.026, 0.958, 0.843, 0.700, 0.630, 0.596, 0.562, 0.562, 0.597, 0.682, 0.822,
    1.025, 1.267, 1.439, 1.495, 1.522, 1.543, 1.528, 1.512, 1.417, 1.227, 1.094, 1.027,
    # Sat
    0.945, 0.891, 0.849, 0.719, 0.580, 0.519, 0.493, 0.464, 0.450, 0.456, 0.485, 0.552,
    0.634, 0.733, 0.847, 0.923, 0.966, 0.979, 0.962, 0.919, 0.844, 0.822, 0.826, 0.751,
    # Sun
    0.674, 0.633, 0.606, 0.574, 0.514, 0.449, 0.402, 0.394, 0.400, 0.385, 0.392, 0.476,
    0.602, 0.706, 0.789, 0.841, 0.866, 0.876, 0.867, 0.845, 0.809, 0.795, 0.787, 0.768,
)

# Over-dispersion of 5-minute counts: gamma shape k of count / (1-hour running median), estimated per NAB series
# as 1 / (var(ratio) - mean(1 / level)) with the top 0.5% ratios clipped: AAPL 4.5, AMZN 23.1, CRM 8.1, FB 8.5
# (CVS too sparse); the median, 8.3, rounded to 8. Each 5-minute block's rate is multiplied by Gamma(k, 1/k).
GAMMA_SHAPE_5MIN = 8.0

# Day-to-day level variation (log standard deviation). Week-over-week daily totals give 0.08 for AMZN (the one
# consumer brand) and 0.2-0.5 for the news-driven tickers; a consumer app sits near AMZN, so 0.10.
DAY_LOG_SD = 0.10

# Real incident durations in minutes: quantiles at 0, 10, ..., 90, 95, 100 % of the 770 GitHub status-page
# incidents with impact minor, major or critical (maintenance and impact "none" left out) in
# ../shared/data/incidents/downtime_windows.csv. Outage durations are drawn from this distribution
# (log-linear between quantiles; the 0% point, 0 minutes, raised to 1 for the log) truncated to
# [OUTAGE_MIN_MINUTES, OUTAGE_MAX_MINUTES].
INCIDENT_MINUTES_QUANTILES: tuple[tuple[float, float], ...] = (
    (0.00, 1.0), (0.10, 17.0), (0.20, 27.0), (0.30, 40.0), (0.40, 56.0), (0.50, 74.0), (0.60, 91.0),
    (0.70, 126.6), (0.80, 185.0), (0.90, 305.5), (0.95, 456.7), (1.00, 3718.0),
)
OUTAGE_MIN_MINUTES = 20.0
OUTAGE_MAX_MINUTES = 120.0

# How loud and how sudden an outage is, in multiples of the brand's usual rate of outage-like reports (1.5% of its
# mentions, see BASE_MIX). Real outages are reported by many people at once: the labelled bursts of the NAB
# realTweets series reach 7-270x the trailing one-day median 5-minute count (median about 50x) within one or two
# 5-minute buckets, and the status-page incidents above are reported within minutes of their start. Outage reports
# therefore peak at 50-400x their baseline (log-uniform: for a 3,000-mentions-a-day brand, about 1.5 to 12 reports
# a minute at the daily mean), reach that peak within 1-3 minutes and fade within minutes of the fix (people see
# it work again; the 'works again' posts that follow are chatter, not reports).
OUTAGE_PEAK_RANGE = (50.0, 400.0)
OUTAGE_RAMP_MINUTES = (1.0, 3.0)
OUTAGE_DECAY_MINUTES = (1.5, 3.5)

# Baseline intent mix of mentions addressing a brand. From the Twitter US Airline Sentiment set
# (../shared/data/complaints, 7,189 tweets at six airlines): 58.6% negative, 22.6% neutral, 18.8% positive, and
# 8.9% are neutral questions (contain "?"). Negative -> complaints, less a 1.5% background of outage-like reports;
# positive -> praise; neutral -> questions and other chatter.
BASE_MIX: dict[str, float] = {
    "complaint": 0.571,
    "outage": 0.015,
    "praise": 0.188,
    "question": 0.089,
    "other": 0.137,
}
