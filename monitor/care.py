"""The care queue: people whose complaints and questions the brand has not answered, and how fast it answers.

A person counts as answered once the brand replied to any of their posts (on the same network): what they posted
after that reply waits again. The brand's replies are the mentions a source saw posted as the brand (`brand_reply`,
`brand_post`) or written by one of the brand's configured `handles`, matched to the post they answer by its id (on
Mastodon, by the id the instance gave it, kept as `local_id`).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Subquery, and_, func, not_, or_, select, union_all
from sqlalchemy.orm import aliased

from monitor.advocates import handle_stem, own_handles, person_link, profile_url, web_link
from monitor.clock import as_utc
from monitor.models import ClassificationRow, MentionRow
from monitor.settings import BrandSettings, CareTeam, Settings
from monitor.store import Store, tagged_as_brand

CARE_LABELS = ("complaint", "question")
"""What waits for an answer. Outage reports are answered by the incident's public status post, not one by one."""
WINDOW_HOURS = 48.0
ANSWER_TARGET_MINUTES = 60.0
TEAM_PAGE = 500  # waiting people read at a time when looking for one team's
ID_CHUNK = 500  # post ids per IN (...) query
MIN_STEM = 4  # shorter handles ("bob") are too common to suggest the same person elsewhere


@dataclass(slots=True)
class Waiting:
    """One person waiting for an answer: since their oldest unanswered post, how many posts, the latest one."""

    brand: str
    source: str
    author_id: str
    handle: str
    profile_url: str | None
    since: datetime
    minutes: float
    posts: int
    label: str
    topic: str | None
    """The product area of the latest post (login, payments...), for routing it to whoever is competent."""
    text: str
    url: str | None
    team: str | None = None
    """The configured care team whose business that topic is (`[[care.teams]]`)."""
    elsewhere: list[dict[str, str]] = field(default_factory=list)
    """Probably the same person waiting on other networks too (the same handle once the network's decoration is
    gone): someone unanswered repeats themselves on another channel. Never merged."""

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict, with the dashboard address of the person's history."""
        return asdict(self) | {"since": self.since.isoformat(), "history": person_link(self.source, self.author_id)}


@dataclass(slots=True)
class Responsiveness:
    """One brand's answers in the window: how many, how fast, and who still waits."""

    brand: str
    answered: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    within_target: float | None = None
    """Share of the answered posts answered within ANSWER_TARGET_MINUTES."""
    waiting: int = 0
    longest_minutes: float | None = None


@dataclass(slots=True)
class CareQueue:
    """Who waits longest (oldest first, at most `limit`) and each brand's responsiveness."""

    waiting: list[Waiting] = field(default_factory=list)
    brands: list[Responsiveness] = field(default_factory=list)
    hours: float = WINDOW_HOURS
    teams: list[str] = field(default_factory=list)
    """The configured care teams' names (none: the queue is not routed)."""

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"hours": self.hours, "target_minutes": ANSWER_TARGET_MINUTES, "teams": self.teams,
                "waiting": [w.to_json() for w in self.waiting], "brands": [asdict(b) for b in self.brands]}


def brand_voice(row: Any, handles: set[str]) -> ColumnElement[bool]:
    """SQL: the mention is the brand speaking (tagged by its source, or one of the configured handles)."""
    by_handle = func.lower(func.ltrim(row.author_handle, "@")).in_(sorted(handles)) if handles else False
    return or_(tagged_as_brand(row), by_handle)


def answers_in(handles: set[str], since: datetime, now: datetime) -> Any:
    """Subquery: each brand reply in the window (its id, text and account) with the public post it answers (its
    author and time)."""
    reply, asked = aliased(MentionRow), aliased(MentionRow)
    columns = (reply.brand.label("brand"), reply.source.label("source"), asked.id.label("asked_id"),
               asked.author_id.label("author_id"), asked.created_at.label("asked_at"),
               reply.created_at.label("replied_at"), reply.id.label("reply_id"), reply.text.label("reply_text"),
               reply.author_handle.label("reply_handle"))
    window = and_(reply.in_reply_to.is_not(None), reply.created_at >= since, reply.created_at <= now,
                  brand_voice(reply, handles), not_(brand_voice(asked, handles)))
    by_id = select(*columns).join(asked, and_(asked.source == reply.source,
                                              asked.external_id == reply.in_reply_to)).where(window)
    by_local_id = select(*columns).join(asked, and_(
        reply.source == "mastodon", asked.source == "mastodon",
        asked.extra["local_id"].as_string() == reply.in_reply_to)).where(window)  # type: ignore[index]
    return union_all(by_id, by_local_id).subquery()


def answered_before(conn: Connection, handles: set[str], asked: dict[int, datetime], since: datetime) -> set[int]:
    """The posts among `asked` (id: when written) that the brand had already answered before `since`: its answers
    to them since are follow-ups, not first answers (only posts older than `since` can be among them)."""
    older = sorted(i for i, at in asked.items() if as_utc(at) < since)
    found: set[int] = set()
    if not older:
        return found
    earlier = answers_in(handles, min(as_utc(asked[i]) for i in older), since - timedelta(microseconds=1))
    for start in range(0, len(older), ID_CHUNK):
        chunk = older[start:start + ID_CHUNK]
        found.update(r[0] for r in conn.execute(select(earlier.c.asked_id).where(earlier.c.asked_id.in_(chunk))))
    return found


def _pending_people(answers: Any, handles: set[str], since: datetime, now: datetime, labels: tuple[str, ...],
                   brand: str | None = None) -> Subquery:
    """Subquery: each person with posts of `labels` in the window written after the brand's last answer to them,
    since when they wait, how many posts, and their latest post's id."""
    last = select(answers.c.brand, answers.c.source, answers.c.author_id,
                  func.max(answers.c.replied_at).label("replied_at")).group_by(
        answers.c.brand, answers.c.source, answers.c.author_id).subquery()
    m, c = MentionRow, ClassificationRow
    return (
        select(m.brand, m.source, m.author_id, func.min(m.created_at).label("since"),
               func.count().label("posts"), func.max(m.id).label("latest"))
        .join(c, c.mention_id == m.id)
        .outerjoin(last, and_(last.c.brand == m.brand, last.c.source == m.source, last.c.author_id == m.author_id))
        .where(c.label.in_(labels), m.created_at >= since, m.created_at <= now, m.is_repost.is_(False),
               not_(brand_voice(m, handles)), or_(last.c.replied_at.is_(None), m.created_at > last.c.replied_at),
               *([func.lower(m.brand) == brand.lower()] if brand else []))
        .group_by(m.brand, m.source, m.author_id)
    ).subquery()


def team_for(teams: Iterable[CareTeam], brand: str, topic: str | None) -> str | None:
    """The first team covering the brand that lists the topic, else the first covering it with no topics listed."""
    mine = [t for t in teams if not t.brands or brand.lower() in (b.lower() for b in t.brands)]
    team = next((t for t in mine if topic and topic in t.topics), None) or next((t for t in mine if not t.topics), None)
    return team.name if team else None


def _everyone_waiting(conn: Connection, pending: Subquery) -> list[Row]:
    """Every waiting person (brand, source, author_id, since, posts, latest, author_handle), longest wait first:
    read once, then counted, ranked and matched across networks here."""
    m = MentionRow
    return list(conn.execute(select(pending.c.brand, pending.c.source, pending.c.author_id, pending.c.since,
                                    pending.c.posts, pending.c.latest, m.author_handle)
                             .join(m, m.id == pending.c.latest).order_by(pending.c.since, pending.c.latest)))


def _longest_waits(conn: Connection, everyone: list[Row], limit: int, teams: list[CareTeam], team: str | None
                   ) -> list[tuple[Row, Row]]:
    """(waiting row, their latest post) for the `limit` longest waits, of `team` only when named: its people are
    routed by their latest post's topic, so the latest posts are read in pages until enough of them are found."""
    m, c = MentionRow, ClassificationRow
    page = limit if team is None else max(limit, TEAM_PAGE)
    found: list[tuple[Row, Row]] = []
    for offset in range(0, len(everyone), max(1, page)):
        rows = everyone[offset:offset + page]
        posts = {row.id: row for row in conn.execute(
            select(m.id, m.text, m.url, m.author_handle, c.label, c.topic).join(c, c.mention_id == m.id)
            .where(m.id.in_([r.latest for r in rows])))}
        for row in rows:
            post = posts[row.latest]
            if team is None or (team_for(teams, row.brand, post.topic) or "").lower() == team.lower():
                found.append((row, post))
        if len(found) >= limit:
            break
    return found[:limit]


def _waiting_stems(everyone: list[Row]) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """Everyone waiting, by (brand, handle stem): their (source, author id, handle)."""
    stems: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for row in everyone:
        stem = handle_stem(row.author_handle or "")
        if len(stem) >= MIN_STEM:
            stems.setdefault((row.brand, stem), []).append((row.source, row.author_id, row.author_handle))
    return stems


def _elsewhere(stems: dict[tuple[str, str], list[tuple[str, str, str]]], row: Row, handle: str
               ) -> list[dict[str, str]]:
    """The waiting accounts on other networks that are probably this person's."""
    return [{"source": source, "handle": other, "history": person_link(source, author_id)}
            for source, author_id, other in stems.get((row.brand, handle_stem(handle or "")), [])
            if source != row.source]


def care_options(settings: Settings) -> dict[str, Any]:
    """The `[care]` section as `care_queue` keywords."""
    return {"hours": settings.care.hours, "labels": tuple(settings.care.labels), "teams": settings.care.teams}


def care_queue(store: Store, now: datetime, brands: Iterable[BrandSettings] = (), hours: float = WINDOW_HOURS,
               labels: tuple[str, ...] = CARE_LABELS, limit: int = 50, brand: str | None = None,
               teams: Iterable[CareTeam] = (), team: str | None = None) -> CareQueue:
    """The people waiting longest for an answer and each brand's response times over the last `hours` (all brands,
    or the one named; the waiting people of one team only, when named)."""
    handles = set().union(*own_handles(brands).values())
    since = now - timedelta(hours=hours)
    answers = answers_in(handles, since, now)
    pending = _pending_people(answers, handles, since, now, labels, brand)
    c = ClassificationRow
    teams = list(teams)
    queue = CareQueue(hours=hours, teams=[t.name for t in teams])
    with store.engine.connect() as conn:
        everyone = _everyone_waiting(conn, pending)
        oldest = _longest_waits(conn, everyone, limit, teams, team)
        first_answer = conn.execute(
            select(answers.c.brand, answers.c.asked_id, answers.c.asked_at, func.min(answers.c.replied_at))
            .join(c, c.mention_id == answers.c.asked_id).where(c.label.in_(labels))
            .group_by(answers.c.brand, answers.c.asked_id, answers.c.asked_at)).all()
        followed_up = answered_before(conn, handles, {r.asked_id: r.asked_at for r in first_answer}, since)
    counts: dict[str, tuple[int, datetime]] = {}
    for row in everyone:  # longest wait first: a brand's first row is its oldest
        n, first = counts.get(row.brand, (0, as_utc(row.since)))
        counts[row.brand] = (n + 1, first)
    stems = _waiting_stems(everyone) if oldest else {}
    for row, post in oldest:
        started = as_utc(row.since)
        queue.waiting.append(Waiting(row.brand, row.source, row.author_id, post.author_handle,
                                     profile_url(row.source, post.author_handle), started,
                                     round((now - started).total_seconds() / 60, 1), int(row.posts), post.label,
                                     post.topic, post.text, web_link(post.url), team_for(teams, row.brand, post.topic),
                                     _elsewhere(stems, row, post.author_handle)))
    delays: dict[str, list[float]] = {}
    for name, asked_id, asked_at, replied_at in first_answer:
        if (brand is None or name.lower() == brand.lower()) and asked_id not in followed_up:
            delays.setdefault(name, []).append(max(0.0, (as_utc(replied_at) - as_utc(asked_at)).total_seconds() / 60))
    for name in sorted(set(delays) | set(counts)):
        stats = Responsiveness(name)
        if name in delays:
            minutes = sorted(delays[name])
            stats.answered = len(minutes)
            stats.median_minutes = round(statistics.median(minutes), 1)
            stats.p90_minutes = round(minutes[min(len(minutes) - 1, int(0.9 * len(minutes)))], 1)
            stats.within_target = round(sum(x <= ANSWER_TARGET_MINUTES for x in minutes) / len(minutes), 3)
        if name in counts:
            stats.waiting, first = counts[name]
            stats.longest_minutes = round((now - first).total_seconds() / 60, 1)
        queue.brands.append(stats)
    return queue
