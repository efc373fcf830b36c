"""Count events per (brand, signal) in fixed buckets, each author once per bucket, silent buckets included."""

from __future__ import annotations

from datetime import UTC, datetime

SeriesKey = tuple[str, str]
MAX_BACKLOG_SECONDS = 7 * 86400  # a first close never replays more than a week of (mostly empty) buckets


class Series:
    """One (brand, signal) series: the authors of its still-open buckets (a set when deduping, else a list)."""

    __slots__ = ("buckets", "first")

    def __init__(self, first: int) -> None:
        self.first = first                          # first bucket index this series reports
        self.buckets: dict[int, set[str] | list[str]] = {}

    def drop_before(self, index: int) -> None:
        """Forget buckets older than `index` (past the backlog limit)."""
        self.buckets = {i: a for i, a in self.buckets.items() if i >= index}


class BucketCounter:
    """Lean bucket counting: integer bucket indexes, plain dicts, one timestamp() call per event."""

    def __init__(self, bucket_seconds: int, dedupe_authors: bool = True) -> None:
        if bucket_seconds <= 0:
            raise ValueError(f"bucket_seconds must be positive, got {bucket_seconds}")
        self.bucket_seconds = bucket_seconds
        self.dedupe = dedupe_authors
        self._series: dict[SeriesKey, Series] = {}
        self._groups: dict[tuple[str, tuple[str, ...]], list[Series]] = {}  # (brand, signals) -> their series
        self._closed: int | None = None             # every bucket index below this has been reported

    def _index(self, at: datetime) -> int:
        stamp = at.timestamp() if at.tzinfo is not None else at.replace(tzinfo=UTC).timestamp()
        index = int(stamp // self.bucket_seconds)
        closed = self._closed
        return index if closed is None or index >= closed else closed  # late: into the open bucket

    def _series_for(self, brand: str, signal: str, index: int) -> Series:
        key = (brand, signal)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = Series(index)
        elif index < series.first:
            series.first = index
        return series

    def register(self, brand: str, signal: str, at: datetime) -> None:
        """Make a series known from the bucket of `at` without counting anything, so its silence is reported."""
        self._series_for(brand, signal, self._index(at))

    def add(self, brand: str, signal: str, at: datetime, author: str) -> None:
        """Count one event into its bucket (an author at most once per bucket and series, when deduping)."""
        self.add_signals(brand, (signal,), at, author)

    def add_signals(self, brand: str, signals: tuple[str, ...], at: datetime, author: str) -> None:
        """Count one event under each of several signals (the bucket index is worked out once)."""
        index = self._index(at)
        group = self._groups.get((brand, signals))
        if group is None:
            group = self._groups[(brand, signals)] = [self._series_for(brand, signal, index) for signal in signals]
        for series in group:
            if index < series.first:
                series.first = index
            bucket = series.buckets.get(index)
            if bucket is None:
                series.buckets[index] = {author} if self.dedupe else [author]
            elif self.dedupe:
                bucket.add(author)  # type: ignore[union-attr]
            else:
                bucket.append(author)  # type: ignore[union-attr]

    def close_until(self, now: datetime) -> list[tuple[str, str, datetime, int]]:
        """Every bucket ended by `now` as (brand, signal, bucket_start, count), oldest first; then forget them."""
        stamp = now.timestamp() if now.tzinfo is not None else now.replace(tzinfo=UTC).timestamp()
        end = int(stamp // self.bucket_seconds)
        if self._closed is not None and end <= self._closed:
            return []
        self._closed = end
        if not self._series:
            return []
        begin = max(min(series.first for series in self._series.values()),
                    end - MAX_BACKLOG_SECONDS // self.bucket_seconds)
        if begin >= end:
            return []
        out: list[tuple[str, str, datetime, int]] = []
        starts: dict[int, datetime] = {}
        for index in range(begin, end):
            for (brand, signal), series in self._series.items():
                if series.first > index:
                    continue
                if index == begin and series.buckets and min(series.buckets) < begin:
                    series.drop_before(begin)
                start = starts.get(index)
                if start is None:
                    start = starts[index] = datetime.fromtimestamp(index * self.bucket_seconds, UTC)
                out.append((brand, signal, start, len(series.buckets.pop(index, ()))))
        for series in self._series.values():
            series.first = max(series.first, end)
        return out

    def filling(self, brand: str, signal: str) -> tuple[datetime, int] | None:
        """The start and count so far of the bucket being filled (the first not yet closed), or None before any
        close."""
        if self._closed is None:
            return None
        series = self._series.get((brand, signal))
        count = len(series.buckets.get(self._closed, ())) if series is not None else 0
        return datetime.fromtimestamp(self._closed * self.bucket_seconds, UTC), count

    def series_keys(self) -> list[SeriesKey]:
        """Every (brand, signal) seen or registered so far, in order of first appearance."""
        return list(self._series)

    def pending(self) -> int:
        """How many events sit in buckets not yet closed (for monitoring and tests)."""
        return sum(sum(map(len, series.buckets.values())) for series in self._series.values())
