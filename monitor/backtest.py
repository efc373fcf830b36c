"""Backtest: the live SignalMonitor, run causally over a timestamp,value series of counts."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.clock import as_utc
from monitor.detectors.tracker import SignalMonitor
from monitor.settings import DetectorSettings

BUCKET = re.compile(r"^\s*(\d+)\s*([smh]?)\s*$", re.IGNORECASE)
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_bucket(text: str) -> int:
    """Bucket size in seconds from '30s', '1m', '5m', '1h' (a bare number is seconds)."""
    match = BUCKET.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"bucket size must look like 30s, 1m, 5m or 1h; got {text!r}")
    return int(match.group(1)) * UNITS[match.group(2).lower()]


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp ('2015-02-26 21:42:53', with or without offset or Z) as aware UTC."""
    return as_utc(datetime.fromisoformat(text.strip()))


def _row(number: int, row: list[str]) -> tuple[datetime, float]:
    if len(row) != 2:
        raise ValueError(f"line {number}: expected 2 columns timestamp,value, got {len(row)}: {','.join(row)[:80]!r}")
    stamp, raw = row[0].strip(), row[1].strip()
    try:
        when = parse_timestamp(stamp)
    except ValueError:
        raise ValueError(f"line {number}: bad timestamp {stamp[:40]!r} "
                         "(expected e.g. 2015-02-26 21:42:53 or 2015-02-26T21:42:53+01:00)") from None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"line {number}: bad value {raw[:40]!r} (expected a number)") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"line {number}: bad value {raw[:40]!r} (expected a count, zero or more)")
    return when, value


def read_series(path: str | Path) -> list[tuple[datetime, float]]:
    """Read a `timestamp,value` CSV (header optional, naive times are UTC); a bad row raises naming its line."""
    rows: list[tuple[datetime, float]] = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            if number == 1 and row[0].strip().lower() in ("timestamp", "time", "ts"):
                continue
            when, value = _row(number, row)
            if rows and when <= rows[-1][0]:
                raise ValueError(f"line {number}: timestamp {row[0].strip()!r} is not after the previous row's "
                                 f"{rows[-1][0].isoformat()} (sort the file by time)")
            rows.append((when, value))
    return rows


def buckets(rows: Iterable[tuple[datetime, float]], bucket_seconds: int) -> Iterator[tuple[datetime, float]]:
    """Sum rows into buckets of `bucket_seconds` anchored at the first row; a bucket is yielded once it is over."""
    anchor: datetime | None = None
    current, total = -1, 0.0
    for when, value in rows:
        when = as_utc(when)
        if anchor is None:
            anchor = when
        index = int((when - anchor).total_seconds() // bucket_seconds)
        if index < current:
            raise ValueError(f"rows are not in time order at {when.isoformat()}")
        if index != current:
            if current >= 0:
                yield anchor + timedelta(seconds=current * bucket_seconds), total
            current, total = index, 0.0
        total += value
    if anchor is not None and current >= 0:
        yield anchor + timedelta(seconds=current * bucket_seconds), total


def backtest(rows: Iterable[tuple[datetime, float]], settings: DetectorSettings) -> list[dict[str, Any]]:
    """One dict per alert onset; each is decided from the buckets up to it only, as the daemon would."""
    monitor = SignalMonitor(settings)
    onsets: list[dict[str, Any]] = []
    for start, count in buckets(rows, settings.bucket_seconds):
        for event in monitor.observe(start, count):
            if event.kind != "open":
                continue
            onsets.append({
                "timestamp": start.astimezone(UTC).isoformat(),  # the deciding bucket (row) of the onset
                "severity": event.severity,
                "alert_at": event.at.isoformat(),
                "started_at": event.started_at.isoformat(),
                "value": round(event.value, 3),
                "expected": round(event.expected, 3),
            })
    return onsets
