"""Live volume by signal: per-bucket counts of the last hours, each author once per bucket, the brand's posts apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from classifiers.base import Classification
from monitor.activity import brand_activity
from monitor.mention import Author, Mention
from monitor.store import Store

NOW = datetime(2026, 3, 2, 12, 2, tzinfo=UTC)


def test_counts_per_bucket_and_signal_with_the_last_hour_summed(store_url: str) -> None:
    store = Store(store_url)
    rows = [("1", "ann", 1, "outage", "negative", {}), ("2", "ann", 2, "outage", "negative", {}),  # once: one bucket
            ("3", "bob", 3, "complaint", "negative", {}), ("4", "cy", 30, "praise", "positive", {}),
            ("5", "dee", 150, "complaint", "neutral", {}), ("6", "care", 4, "complaint", "neutral",
                                                            {"brand_reply": True})]
    for ident, who, minutes_ago, label, sentiment, extra in rows:
        store.save_batch([(Mention(ident, "x", NOW - timedelta(minutes=minutes_ago), "acme", Author(who, who),
                                   brand="Acme", extra=extra), "Acme", Classification(label, sentiment, "en"))])
    (acme,) = brand_activity(store, NOW, ["Acme"])
    volume = acme["signals"]["volume"]
    assert len(volume["series"]) == 36 and volume["series"][-1][0] == "2026-03-02T12:00:00+00:00"
    assert volume["series"][-1][1] == 1  # ann, once in her bucket
    assert volume["series"][-2][1] == 1  # bob; the care team's reply is left out
    assert volume["last_hour"] == 3 and acme["signals"]["outage"]["last_hour"] == 1  # dee is 2.5 hours back
    assert acme["signals"]["complaints"]["last_hour"] == 2 and acme["signals"]["negative"]["last_hour"] == 2
    assert sum(n for _, n in volume["series"]) == 4
    assert brand_activity(store, NOW, ["Volta"])[0]["signals"]["volume"]["last_hour"] == 0
    store.close()
