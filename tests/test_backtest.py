"""Backtest: causal onsets, CSV reading with line-numbered errors, bucket sizes, and a look at real tweet volume."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from monitor.backtest import backtest, buckets, parse_bucket, read_series
from monitor.settings import DetectorSettings
from tests.conftest import need_shared

START = datetime(2026, 3, 2, tzinfo=UTC)
FIVE = timedelta(minutes=5)


def five_minute_series(days: int = 5, seed: int = 3) -> list[tuple[datetime, float]]:
    """Tweet-like 5-minute counts with a daily wave and three bursts on the later days."""
    n = days * 288
    slot = np.arange(n)
    rates = 40.0 * (1.0 - 0.6 * np.cos(2 * np.pi * (slot / 288 - 3 / 24)))
    for start, length, factor in ((2 * 288 + 150, 6, 6.0), (3 * 288 + 40, 2, 12.0), (4 * 288 + 200, 12, 4.0)):
        rates[start: start + length] *= factor
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rates * rng.gamma(20.0, 1 / 20.0, n))
    return [(START + i * FIVE, float(c)) for i, c in enumerate(counts)]


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("1m", 60), ("5m", 300), ("1h", 3600), ("90", 90),
                                               (" 15M ", 900)])
def test_parse_bucket(text: str, seconds: int) -> None:
    assert parse_bucket(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "5x", "m", "-1m", "1.5m", "5 minutes"])
def test_parse_bucket_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="30s, 1m, 5m or 1h") as info:
        parse_bucket(text)
    assert repr(text) in str(info.value)


def test_read_series_formats(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("timestamp,value\n2015-02-26 21:42:53,104\n\n2015-02-26T22:47:53+01:00,100.5\n"
                    "2015-02-26 21:52:53.000000,0\n2015-02-26T21:57:53Z,7\n", encoding="utf-8")
    rows = read_series(path)
    assert [value for _, value in rows] == [104.0, 100.5, 0.0, 7.0]
    assert rows[0][0] == datetime(2015, 2, 26, 21, 42, 53, tzinfo=UTC)
    assert rows[1][0] == datetime(2015, 2, 26, 21, 47, 53, tzinfo=UTC)
    assert all(when.utcoffset() == timedelta(0) for when, _ in rows)
    headless = tmp_path / "h.csv"
    headless.write_text("2015-02-26 21:42:53,1\n", encoding="utf-8")
    assert read_series(headless) == [(datetime(2015, 2, 26, 21, 42, 53, tzinfo=UTC), 1.0)]


@pytest.mark.parametrize(("bad", "words"), [
    ("2015-02-26 21:52:53,lots", ["line 4", "bad value", "'lots'"]),
    ("26/02/2015 21:52,3", ["line 4", "bad timestamp", "'26/02/2015 21:52'"]),
    ("2015-02-26 21:52:53", ["line 4", "2 columns", "got 1"]),
    ("2015-02-26 21:52:53,1,2", ["line 4", "2 columns", "got 3"]),
    ("2015-02-26 21:52:53,-4", ["line 4", "zero or more"]),
    ("2015-02-26 21:52:53,nan", ["line 4", "bad value"]),
    ("2015-02-26 21:40:00,3", ["line 4", "not after", "sort"]),
])
def test_read_series_names_the_bad_line(tmp_path: Path, bad: str, words: list[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"timestamp,value\n2015-02-26 21:42:53,1\n2015-02-26 21:47:53,2\n{bad}\n"
                    "2015-02-26 21:57:53,5\n", encoding="utf-8")
    with pytest.raises(ValueError) as info:
        read_series(path)
    for word in words:
        assert word in str(info.value), str(info.value)


def test_backtest_is_causal() -> None:
    rows = five_minute_series()
    settings = DetectorSettings(bucket_seconds=300)
    full = backtest(rows, settings)
    assert 3 <= len(full) <= 6, full
    assert all(set(onset) >= {"timestamp", "severity", "value", "expected"} for onset in full)
    assert all(1 <= onset["severity"] <= 10 for onset in full)
    json.dumps(full)  # the CLI prints each one as a JSON line
    for cut in (2 * 288 + 152, 3 * 288 + 41, 4 * 288 + 205, len(rows) - 1):
        prefix = backtest(rows[:cut], settings)
        assert prefix == [o for o in full if datetime.fromisoformat(o["timestamp"]) < rows[cut][0]], cut


def test_backtest_finds_the_bursts_where_they_are() -> None:
    rows = five_minute_series()
    onsets = backtest(rows, DetectorSettings(bucket_seconds=300))
    found = {datetime.fromisoformat(o["timestamp"]) for o in onsets}
    for start in (2 * 288 + 150, 3 * 288 + 40, 4 * 288 + 200):
        assert any(rows[start][0] <= when <= rows[start + 1][0] for when in found), rows[start][0]
    first = onsets[0]
    assert first["alert_at"] == (datetime.fromisoformat(first["timestamp"]) + FIVE).isoformat()
    assert first["value"] > 3 * first["expected"]


@pytest.mark.parametrize(("bucket", "opens_at"), [(300, 0), (60, 1), (30, 3)])
def test_minute_settings_scale_with_the_bucket(bucket: int, opens_at: int) -> None:
    step = timedelta(seconds=bucket)
    per_bucket = 8.0 * bucket / 60  # 8 a minute, then 3.5 times that for five minutes: clear but not huge
    counts = [per_bucket] * 240 + [3.5 * per_bucket] * max(1, 300 // bucket) + [per_bucket] * 40
    rows = [(START + i * step, value) for i, value in enumerate(counts)]
    onsets = backtest(rows, DetectorSettings(bucket_seconds=bucket))
    assert [round((datetime.fromisoformat(o["timestamp"]) - START) / step) - 240 for o in onsets] == [opens_at]
    assert onsets[0]["started_at"] == (START + 240 * step).isoformat()  # open_after_minutes = 2, in buckets


def test_rows_are_summed_into_buckets() -> None:
    minute = timedelta(minutes=1)
    rows = [(START + i * minute, 1.0) for i in range(12)] + [(START + 20 * minute, 5.0)]
    assert list(buckets(rows, 300)) == [(START, 5.0), (START + FIVE, 5.0), (START + 2 * FIVE, 2.0),
                                        (START + 4 * FIVE, 5.0)]
    shifted = [(when.astimezone(timezone(timedelta(hours=2))), value) for when, value in rows[:3]]
    assert list(buckets(shifted, 60)) == [(START + i * minute, 1.0) for i in range(3)]
    assert list(buckets([], 60)) == []


@pytest.mark.slow
def test_real_tweet_volume_fires_near_the_labelled_windows() -> None:
    folder = need_shared("data", "volume", "nab_realTweets")
    windows = json.loads((folder / "windows.json").read_text(encoding="utf-8"))
    settings = DetectorSettings(bucket_seconds=parse_bucket("5m"))
    inside = outside = hit = total = 0
    days = window_days = 0.0
    for name, spans in sorted(windows.items()):
        rows = read_series(folder / name)
        days += (rows[-1][0] - rows[0][0]).total_seconds() / 86400
        spans = [(datetime.fromisoformat(a).replace(tzinfo=UTC), datetime.fromisoformat(b).replace(tzinfo=UTC))
                 for a, b in spans]
        window_days += sum((b - a).total_seconds() / 86400 for a, b in spans)
        caught = set()
        for onset in backtest(rows, settings):
            when = datetime.fromisoformat(onset["timestamp"])
            where = [i for i, (a, b) in enumerate(spans) if a <= when <= b]
            inside += bool(where)
            outside += not where
            caught.update(where)
        hit, total = hit + len(caught), total + len(spans)
    assert hit >= 0.75 * total, (hit, total)
    assert outside / (days - window_days) < 0.45, (outside, days)  # not constantly elsewhere
    # An episode held through its dips opens once, so onsets inside the windows are fewer than their re-openings were.
    assert inside / window_days > 1.5 * outside / (days - window_days), (inside, window_days, outside, days)


def test_the_nab_configuration_file_drives_the_backtest_command(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from monitor.cli import main
    from monitor.settings import load_settings

    config = Path(__file__).resolve().parent.parent / "bench" / "nab_detector.toml"
    nab = load_settings(config).detector
    live = DetectorSettings()
    assert (live.extreme_days, live.echo_hours) == (0.0, 0.0)  # the live defaults keep the gate and echo off
    assert nab.extreme_days > 0 and nab.echo_hours > 0
    rows = five_minute_series(days=8)
    series = tmp_path / "volume.csv"
    series.write_text("timestamp,value\n" + "".join(f"{when.isoformat()},{int(v)}\n" for when, v in rows),
                      encoding="utf-8")
    expected = backtest(rows, nab)
    assert len(expected) < len(backtest(rows, DetectorSettings(bucket_seconds=300)))  # it pages less
    with pytest.raises(SystemExit) as exit_code:
        main(["backtest", "--series", str(series), "--bucket", "5m", "--config", str(config)])
    assert exit_code.value.code == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == expected
