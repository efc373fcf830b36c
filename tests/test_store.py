"""Storage: idempotent by (source, id) across batches and restarts, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from classifiers.base import Classification
from monitor.mention import Author, Mention, Rejected
from monitor.models import IncidentRow, RejectedRow
from monitor.store import Store

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def mention(i: int, source: str = "x", followers: int | None = None) -> Mention:
    """A small mention with a distinct id."""
    return Mention(id=str(i), source=source, created_at=T0 + timedelta(seconds=i), text=f"@acme post {i}",
                   author=Author(id=f"a{i % 3}", handle=f"user{i % 3}", followers=followers), extra={"n": i})


VERDICT = Classification("complaint", "negative", "en", "login", {"complaint": 0.9}, {"negative": 0.8})


def test_save_batch_is_idempotent_across_batches_and_restarts(url: str) -> None:
    store = Store(url)
    first = [(mention(i), "Acme", VERDICT) for i in range(5)]
    assert store.save_batch(first) == [0, 1, 2, 3, 4]
    assert store.save_batch([*first[:2], (mention(5), "Acme", VERDICT)]) == [2]
    store.close()
    reopened = Store(url)
    assert reopened.save_batch(first) == []
    assert reopened.save_batch([(mention(1, source="bluesky"), "Acme", VERDICT)]) == [0]
    assert reopened.count_mentions() == 7
    assert reopened.label_counts() == {"complaint": 7}
    assert reopened.label_counts("Other") == {}
    reopened.close()


def test_authors_upserted_followers_kept(url: str) -> None:
    store = Store(url)
    store.save_batch([(mention(0, followers=50), "Acme", VERDICT)])
    store.save_batch([(mention(3, followers=None), "Acme", VERDICT)])
    from monitor.models import AuthorRow

    author = store.get(AuthorRow, ("x", "a0"))
    assert author.followers == 50 and author.handle == "user0"
    store.close()


def test_rejects_and_incident_roundtrip(url: str) -> None:
    store = Store(url)
    store.save_rejects("intake", [Rejected("f.jsonl:3", "malformed JSON", "{oops\x00")], T0)
    assert store.rejected_count() == 1
    assert store.all(RejectedRow)[0].raw == "{oops"
    row = store.add(IncidentRow(brand="Acme", signal="outage", started_at=T0, opened_at=T0, evidence={"a": 1}))
    row.severity = 5
    row.evidence = {**row.evidence, "b": 2}
    store.add(row)
    again = store.get(IncidentRow, row.id)
    assert again.severity == 5 and again.evidence == {"a": 1, "b": 2}
    assert [r.id for r in store.open_incidents()] == [row.id]
    store.close()


def test_a_database_from_before_the_recovery_column_is_brought_up_to_date(url: str) -> None:
    from sqlalchemy import create_engine, text

    store = Store(url)
    store.save_batch([(mention(1), "Acme", VERDICT)])
    store.close()
    engine = create_engine(url)
    with engine.begin() as conn:  # what an older version left: no recovery column
        conn.execute(text("ALTER TABLE classifications DROP COLUMN recovery"))
    engine.dispose()
    upgraded = Store(url)
    back = Classification("praise", "positive", "en", recovery=True)
    assert upgraded.save_batch([(mention(2), "Acme", back)]) == [0]
    verdicts = [v for _m, v in upgraded.recent_verdicts("Acme", T0)]
    assert [v.recovery for v in verdicts] == [False, True]
    counts = upgraded.signal_counts("Acme", T0, T0 + timedelta(minutes=1), 60,
                                    lambda label, sentiment, topic, recovery: ("recovery",) if recovery else ())
    assert counts == {"recovery": {T0: 1}}
    upgraded.close()


def test_label_counts_keep_the_brands_own_posts_apart(url: str) -> None:
    store = Store(url)
    reply = Mention("r1", "x", T0, "@bob sorry, DM us", Author("care", "AcmeHelp"), extra={"brand_reply": True})
    store.save_batch([(mention(1), "Acme", VERDICT), (reply, "Acme", VERDICT)])
    assert store.label_counts() == {"complaint": 1, "brand_posts": 1}
    store.close()
