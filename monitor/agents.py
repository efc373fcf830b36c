"""Each care agent's workload, read from the brand's replies: whom they answered, how fast, and in whose words.

An agent is the name a reply is signed with ("... ^Anna", "... - Marco"), else the brand account that wrote it. A
reply is in the same words as others when, without the people's handles, links and the signature, it is word for
word what the brand wrote at least SAME_WORDS times in the window: the copy-paste answer that solves nothing.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, not_, select

from alerts.rules_of_engagement import forbidden_found
from monitor.advocates import own_handles
from monitor.care import CARE_LABELS, WINDOW_HOURS, answered_before, answers_in, brand_voice
from monitor.clock import as_utc
from monitor.models import ClassificationRow, MentionRow
from monitor.settings import AGENT_SIGNATURE, BrandSettings, Settings
from monitor.store import Store

SAME_WORDS = 3
ASKS_DETAILS = re.compile(
    r"\b(?:e-?mail|order (?:number|id)|account (?:number|id)|phone number|booking (?:reference|number)|post ?code|"
    r"zip code|numero d['\u2019]ordine|numero (?:dell['\u2019]ordine|di telefono|cliente)|codice cliente)\b", re.I)
"""A reply asking for details the person has to give (English and Italian)."""
_NOISE = re.compile(r"@[\w.@-]+|https?://\S+|[^\w\s]|\d+")


@dataclass(slots=True)
class AgentLoad:
    """One agent's replies in the window for one brand."""

    brand: str
    agent: str
    replies: int = 0
    people: int = 0
    first_answers: int = 0
    """Complaints and questions this agent answered first, ..."""
    median_minutes: float | None = None
    """... and how long those people had waited (median)."""
    same_words: float = 0.0
    """Share of the agent's replies in the same words as at least SAME_WORDS - 1 other replies of the brand."""
    waiting_again: int = 0
    """People whose last answer came from this agent and who wrote again since: waiting once more."""
    asked_again: int = 0
    """Replies asking someone for details (an email, an order number) the brand had already asked them for in the
    window: the conversation history was not at hand."""
    forbidden: int = 0
    """Replies with a phrase the rules of engagement forbid (`[status_posts] forbidden`, the brand voice's) ..."""
    phrases: list[str] = field(default_factory=list)
    """... and which ones."""

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


def agent_of(text: str, handle: str, signature: re.Pattern[str]) -> str:
    """The name the reply is signed with, else the account's handle."""
    found = signature.search(text.strip())
    return found.group(1) if found else handle.lstrip("@")


def skeleton(text: str, signature: re.Pattern[str]) -> str:
    """The reply's words: no handles, links, signature, digits or punctuation, in lower case."""
    return " ".join(_NOISE.sub(" ", signature.sub("", text.strip())).lower().split())


def agent_options(settings: Settings) -> dict[str, Any]:
    """The `[care]` settings and the rules of engagement's forbidden phrases as `agent_workload` keywords."""
    posts = settings.status_posts
    forbidden = {b.name: [*posts.forbidden, *posts.voice_for(b.name).forbidden] for b in settings.brands}
    return {"hours": settings.care.hours, "labels": tuple(settings.care.labels), "signature": settings.care.signature,
            "forbidden": forbidden}


def agent_workload(store: Store, now: datetime, brands: Iterable[BrandSettings] = (), hours: float = WINDOW_HOURS,
                   labels: tuple[str, ...] = CARE_LABELS, signature: str = AGENT_SIGNATURE,
                   forbidden: Mapping[str, list[str]] | None = None) -> list[AgentLoad]:
    """Every agent who answered someone in the last `hours`, busiest first; `forbidden` holds each brand's banned
    phrases."""
    pattern = re.compile(signature)
    handles = set().union(*own_handles(brands).values())
    since = now - timedelta(hours=hours)
    answers = answers_in(handles, since, now)
    c = ClassificationRow
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(answers.c.brand, answers.c.source, answers.c.author_id, answers.c.asked_id, answers.c.asked_at,
                   answers.c.replied_at, answers.c.reply_id, answers.c.reply_text, answers.c.reply_handle, c.label)
            .outerjoin(c, c.mention_id == answers.c.asked_id).order_by(answers.c.replied_at, answers.c.reply_id)
        ).all()
        waiting = {tuple(r) for r in conn.execute(_written_again(answers, handles, now, labels))}
        followed_up = answered_before(conn, handles, {r.asked_id: r.asked_at for r in rows}, since)
    return _loads(rows, waiting, labels, pattern, {k.lower(): v for k, v in (forbidden or {}).items()}, followed_up)


def _written_again(answers: Any, handles: set[str], now: datetime, labels: tuple[str, ...]) -> Any:
    """SQL: the answered people (brand, source, author_id) with posts of `labels` after the brand's last answer:
    the care queue's waiting people, found from the answers (few) rather than from every post."""
    last = select(answers.c.brand, answers.c.source, answers.c.author_id,
                  func.max(answers.c.replied_at).label("replied_at")).group_by(
        answers.c.brand, answers.c.source, answers.c.author_id).subquery()
    m, c = MentionRow, ClassificationRow
    return (select(last.c.brand, last.c.source, last.c.author_id)
            .join(m, and_(m.source == last.c.source, m.author_id == last.c.author_id, m.brand == last.c.brand,
                          m.created_at > last.c.replied_at, m.created_at <= now, m.is_repost.is_(False)))
            .join(c, c.mention_id == m.id).where(c.label.in_(labels), not_(brand_voice(m, handles))).distinct())


def _loads(rows: list[Any], waiting: set[tuple[str, str, str]], labels: tuple[str, ...],
           pattern: re.Pattern[str], forbidden: Mapping[str, list[str]], followed_up: set[int]) -> list[AgentLoad]:
    """Tally the replies (oldest first) per (brand, agent); `forbidden` is keyed by lower-case brand; the posts in
    `followed_up` had their first answer before the window."""
    loads: dict[tuple[str, str], AgentLoad] = {}
    replies: dict[tuple[str, str], set[int]] = {}
    people: dict[tuple[str, str], set[tuple[str, str]]] = {}
    waits: dict[tuple[str, str], list[float]] = {}
    words: dict[int, tuple[str, tuple[str, str]]] = {}
    first: set[int] = set(followed_up)
    last: dict[tuple[str, str, str], tuple[str, str]] = {}
    asked: set[tuple[str, str, str]] = set()  # people asked for details so far
    for row in rows:
        text = row.reply_text or ""
        key = (row.brand, agent_of(text, row.reply_handle or "", pattern))
        load = loads.setdefault(key, AgentLoad(*key))
        if row.reply_id not in replies.setdefault(key, set()):  # each reply once, though it may answer two posts
            replies[key].add(row.reply_id)
            _judge_words(load, row, text, forbidden.get(row.brand.lower(), []), asked)
        people.setdefault(key, set()).add((row.source, row.author_id))
        words[row.reply_id] = (skeleton(text, pattern), key)
        last[(row.brand, row.source, row.author_id)] = key
        if row.asked_id not in first:
            first.add(row.asked_id)
            if row.label in labels:
                load.first_answers += 1
                minutes = (as_utc(row.replied_at) - as_utc(row.asked_at)).total_seconds() / 60.0
                waits.setdefault(key, []).append(max(0.0, minutes))
    same = Counter((key[0], text) for text, key in words.values() if text)
    for key, load in loads.items():
        mine = [words[i][0] for i in replies[key]]
        load.replies, load.people = len(mine), len(people[key])
        load.same_words = round(sum(same[(key[0], t)] >= SAME_WORDS for t in mine if t) / len(mine), 3)
        if key in waits:
            load.median_minutes = round(statistics.median(waits[key]), 1)
    for person, key in last.items():
        if person in waiting:
            loads[key].waiting_again += 1
    return sorted(loads.values(), key=lambda a: (-a.replies, a.brand, a.agent))


def _judge_words(load: AgentLoad, row: Any, text: str, phrases: list[str], asked: set[tuple[str, str, str]]) -> None:
    """One reply's forbidden phrases, and whether it asks someone again for details already asked for."""
    found = forbidden_found(text, phrases) if phrases else []
    if found:
        load.forbidden += 1
        load.phrases = sorted({*load.phrases, *found})[:5]
    if ASKS_DETAILS.search(text):
        person = (row.brand, row.source, row.author_id)
        load.asked_again += person in asked
        asked.add(person)
