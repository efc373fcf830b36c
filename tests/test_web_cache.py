"""The cockpit's costly parts are reused for a few seconds of wall time while the monitor's clock stands still."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.web_cache import SlowParts

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_parts_are_reused_until_the_wall_or_the_monitors_clock_moves_on() -> None:
    wall = [100.0]
    made: list[datetime] = []

    def compute(now: datetime) -> dict[str, object]:
        made.append(now)
        return {"care": len(made)}

    slow = SlowParts(10.0, wall=lambda: wall[0])
    assert slow.get(NOW, lambda: compute(NOW)) == {"care": 1}
    wall[0] += 9.0
    assert slow.get(NOW + timedelta(seconds=5), lambda: compute(NOW)) == {"care": 1}  # five screens, one query
    wall[0] += 1.0
    assert slow.get(NOW, lambda: compute(NOW)) == {"care": 2}  # ten seconds on the wall
    later = NOW + timedelta(minutes=30)  # a fast replay: half an hour of its time in no time at all
    assert slow.get(later, lambda: compute(later)) == {"care": 3}
    assert made == [NOW, NOW, later]


def test_zero_seconds_computes_every_time() -> None:
    slow = SlowParts(0.0, wall=lambda: 0.0)
    counter = iter(range(10))
    assert [slow.get(NOW, lambda: {"n": next(counter)})["n"] for _ in range(3)] == [0, 1, 2]
