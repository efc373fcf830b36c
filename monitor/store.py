"""Storage through SQLModel: idempotent batch inserts keyed by (source, id), SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Engine, Integer, case, event, func, inspect, not_, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, create_engine

from classifiers.base import Classification
from monitor.clock import as_utc
from monitor.mention import Mention, Rejected
from monitor.models import (
    AlertRow,
    AuthorRow,
    ClassificationRow,
    IncidentRow,
    MentionRow,
    RejectedRow,
    StatusPostRow,
)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and relaxed fsync, which suits a stream of batches."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
    return engine


OWN_TAGS = ("brand_reply", "brand_post")
"""Mentions a source saw posted by the brand itself carry one of these in `extra`."""
BRAND_POSTS = "brand_posts"


def tagged_as_brand(row: Any = MentionRow) -> ColumnElement[bool]:
    """SQL: a source saw this mention posted as the brand (`brand_reply` or `brand_post`); `row` may be an alias."""
    return or_(*(func.coalesce(row.extra[tag].as_boolean(), False).is_(True) for tag in OWN_TAGS))


def is_brand_post(extra: dict[str, Any]) -> bool:
    """A source saw this mention posted by the brand itself (what `tagged_as_brand` tells in SQL)."""
    return any(extra.get(tag) for tag in OWN_TAGS)


class Store:
    """All reads and writes of the monitor's history; blocking, so callers use a thread."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        SQLModel.metadata.create_all(self.engine)
        self._dialect = sqlite if self.engine.dialect.name == "sqlite" else postgresql
        self._add_missing_columns()

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()

    def save_batch(self, items: Sequence[tuple[Mention, str, Classification]]) -> list[int]:
        """Store mentions with their authors and verdicts; return the indexes of the new ones."""
        if not items:
            return []
        insert = self._dialect.insert
        authors: dict[tuple[str, str], dict[str, Any]] = {}
        for mention, _brand, _cls in items:
            a = mention.author
            authors[(mention.source, a.id)] = {"source": mention.source, "author_id": a.id, "handle": a.handle,
                                               "name": a.name, "followers": a.followers}
        rows = [{
            "source": m.source, "external_id": m.id, "brand": brand, "created_at": m.created_at,
            "text": m.text, "author_id": m.author.id, "author_handle": m.author.handle, "lang": m.lang,
            "url": m.url, "in_reply_to": m.in_reply_to, "is_repost": m.is_repost, "extra": m.extra,
        } for m, brand, _cls in items]
        with self.engine.begin() as conn:
            stmt = insert(AuthorRow)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["source", "author_id"],
                set_={"handle": stmt.excluded.handle, "name": stmt.excluded.name,
                      "followers": func.coalesce(stmt.excluded.followers, AuthorRow.followers)}),
                list(authors.values()))
            result = conn.execute(
                insert(MentionRow).on_conflict_do_nothing(index_elements=["source", "external_id"])
                .returning(MentionRow.id, MentionRow.source, MentionRow.external_id,
                           sort_by_parameter_order=True), rows)
            new_ids = {(src, ext): pk for pk, src, ext in result.all()}
            fresh: list[int] = []
            verdicts = []
            for index, (mention, _brand, cls) in enumerate(items):
                pk = new_ids.pop(mention.key, None)
                if pk is None:
                    continue
                fresh.append(index)
                verdicts.append({"mention_id": pk, "label": cls.label, "sentiment": cls.sentiment,
                                 "lang": cls.lang, "topic": cls.topic, "model": cls.model, "recovery": cls.recovery,
                                 "scores": {**cls.scores, **{f"sentiment.{k}": v
                                                             for k, v in cls.sentiment_scores.items()}}})
            if verdicts:
                conn.execute(insert(ClassificationRow).on_conflict_do_nothing(), verdicts)
        return fresh

    def save_rejects(self, source: str, rejects: Sequence[Rejected], at: datetime) -> None:
        """Set aside inputs that could not be accepted, with their reasons."""
        if not rejects:
            return
        with self.engine.begin() as conn:
            conn.execute(RejectedRow.__table__.insert(), [  # type: ignore[attr-defined]
                {"source": source, "location": r.location[:500], "reason": r.reason,
                 "raw": r.raw.replace("\x00", ""), "at": at} for r in rejects])

    def add(self, row: SQLModel) -> Any:
        """Insert or update one row and return it refreshed, as a copy: should the database refuse it, `row` keeps
        its values to be saved again (a failed transaction would leave an attached row expired and unreadable)."""
        with Session(self.engine, expire_on_commit=False) as session:
            saved = session.merge(row)
            session.commit()
            session.refresh(saved)
            return saved

    def get(self, model: type[Any], key: Any) -> Any:
        """Fetch one row by primary key."""
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(model, key)

    def all(self, model: type[Any], *where: Any, order: Any = None, limit: int | None = None) -> list[Any]:
        """Select rows of one table."""
        stmt = select(model).where(*where)
        if order is not None:
            stmt = stmt.order_by(order)
        if limit:
            stmt = stmt.limit(limit)
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(stmt))

    def count_mentions(self) -> int:
        """Return the number of stored mentions."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(MentionRow)).scalar_one()

    def label_counts(self, brand: str | None = None) -> dict[str, int]:
        """Count the public's stored mentions by label; the brand's own posts (replies included) as `brand_posts`."""
        kinds = select(case((tagged_as_brand(), BRAND_POSTS), else_=ClassificationRow.label).label("kind")).join(
            MentionRow, MentionRow.id == ClassificationRow.mention_id)
        if brand:
            kinds = kinds.where(MentionRow.brand == brand)
        sub = kinds.subquery()
        with self.engine.connect() as conn:
            return {label: n for label, n in conn.execute(select(sub.c.kind, func.count()).group_by(sub.c.kind))}

    def rejected_count(self) -> int:
        """Return how many inputs were set aside."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(RejectedRow)).scalar_one()

    def open_incidents(self) -> list[IncidentRow]:
        """Incidents not yet resolved."""
        return self.all(IncidentRow, IncidentRow.resolved_at.is_(None), order=IncidentRow.id)  # type: ignore[union-attr]

    def alerts_for(self, incident_id: int) -> list[AlertRow]:
        """Alerts of one incident in order."""
        return self.all(AlertRow, AlertRow.incident_id == incident_id, order=AlertRow.id)

    def posts(self, state: str | None = None) -> list[StatusPostRow]:
        """Status posts, optionally in one state."""
        where = [StatusPostRow.state == state] if state else []
        return self.all(StatusPostRow, *where, order=StatusPostRow.id)

    def _add_missing_columns(self) -> None:
        """Bring a database made by an older version up to date: add its missing columns and indexes."""
        inspector = inspect(self.engine)
        quote = self.engine.dialect.identifier_preparer.quote
        for table in SQLModel.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            missing = [c for c in table.columns if c.name not in present]
            if not missing:
                continue
            with self.engine.begin() as conn:
                for column in missing:
                    ddl = f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} " + str(
                        column.type.compile(dialect=self.engine.dialect))
                    default = getattr(column.default, "arg", None)
                    if not column.nullable:
                        if not isinstance(default, bool | int | float | str):
                            raise RuntimeError(f"{table.name}.{column.name}: cannot add a required column without "
                                               "a default to an existing database; migrate it or start a new one")
                        ddl += f" NOT NULL DEFAULT {_literal(default)}"
                    conn.execute(text(ddl))
                for index in table.indexes:
                    index.create(conn, checkfirst=True)

    def signal_counts(self, brand: str, since: datetime, until: datetime, bucket_seconds: int,
                      signals_of: Callable[[str, str, str | None, bool], tuple[str, ...]]
                      ) -> dict[str, dict[datetime, int]]:
        """Stored mentions of a brand in [since, until) counted per bucket and signal, each author once per bucket.

        `signals_of(label, sentiment, topic, recovery)` names the signals one verdict counts towards (as detection
        counts them, a complaint's topic series and the recovery reports included).
        """
        created = MentionRow.created_at
        if self.engine.dialect.name == "sqlite":
            epoch: Any = func.cast(func.strftime("%s", created), Integer)
        else:
            epoch = func.cast(func.floor(func.extract("epoch", created)), BigInteger)
        bucket = (epoch // bucket_seconds).label("bucket")
        stmt = (select(bucket, MentionRow.source, MentionRow.author_id, ClassificationRow.label,
                       ClassificationRow.sentiment, ClassificationRow.topic, ClassificationRow.recovery)
                .join(ClassificationRow, ClassificationRow.mention_id == MentionRow.id)
                .where(MentionRow.brand == brand, created >= since, created < until,
                       not_(tagged_as_brand()))  # the brand's own posts are not counted
                .distinct())
        seen: set[tuple[int, str, str, str]] = set()
        counts: dict[str, dict[datetime, int]] = {}
        with self.engine.connect() as conn:
            for index, source, author, label, sentiment, topic, recovery in conn.execute(stmt):
                start = datetime.fromtimestamp(int(index) * bucket_seconds, UTC)
                for signal in signals_of(label, sentiment, topic, bool(recovery)):
                    key = (int(index), signal, source, author)
                    if key not in seen:
                        seen.add(key)
                        series = counts.setdefault(signal, {})
                        series[start] = series.get(start, 0) + 1
        return counts

    def latest_mention_at(self, brand: str | None = None) -> datetime | None:
        """When the newest stored mention (of one brand, or of any) was posted."""
        stmt = select(func.max(MentionRow.created_at))
        if brand:
            stmt = stmt.where(MentionRow.brand == brand)
        with self.engine.connect() as conn:
            value = conn.execute(stmt).scalar_one_or_none()
        if isinstance(value, str):  # SQLite hands an aggregate back as text
            value = datetime.fromisoformat(value)
        return as_utc(value) if value is not None else None

    def alert_by_key(self, dedupe_key: str) -> AlertRow | None:
        """The alert written under one de-duplication key, if any."""
        rows = self.all(AlertRow, AlertRow.dedupe_key == dedupe_key, limit=1)
        return rows[0] if rows else None

    def undelivered_alerts(self) -> list[AlertRow]:
        """Alerts still waiting for (another) delivery attempt, oldest first."""
        return self.all(AlertRow, AlertRow.status == "pending", order=AlertRow.id)

    def recent_verdicts(self, brand: str, since: datetime, limit: int = 1000
                        ) -> list[tuple[MentionRow, ClassificationRow]]:
        """A brand's newest stored mentions since `since` with their verdicts, oldest first (at most `limit`)."""
        stmt = (select(MentionRow, ClassificationRow)
                .join(ClassificationRow, ClassificationRow.mention_id == MentionRow.id)
                .where(MentionRow.brand == brand, MentionRow.created_at >= since)
                .order_by(MentionRow.created_at.desc()).limit(limit))  # type: ignore[attr-defined]
        with Session(self.engine, expire_on_commit=False) as session:
            return [(m, c) for m, c in reversed(session.execute(stmt).all())]


def _literal(value: bool | int | float | str) -> str:
    """A scalar default as SQL text."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + value.replace("'", "''") + "'"
