"""One person's history: everything they wrote about the brands, what the brands answered, and their other accounts.

The same person often writes on several networks. Accounts elsewhere whose handle reads the same once the network's
decoration is gone (`giorgio_1769` on X, `giorgio1769.bsky.social`, `giorgio_1769@mastodon.uno`) are offered as
probably theirs, never merged: a handle is not proof of identity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from monitor.advocates import handle_stem, own_handles, person_link, profile_url, web_link
from monitor.care import brand_voice
from monitor.clock import as_utc
from monitor.models import AuthorRow, ClassificationRow, MentionRow
from monitor.settings import BrandSettings
from monitor.store import Store

LIMIT = 200
_LEADING = re.compile(r"[a-z]{3,}")


@dataclass(slots=True)
class Entry:
    """One post of the person, with the brand's first answer to it when there is one."""

    at: datetime
    brand: str
    label: str | None
    sentiment: str | None
    text: str
    url: str | None
    repost: bool
    answer: str | None = None
    answer_by: str | None = None
    answer_minutes: float | None = None


@dataclass(slots=True)
class PersonHistory:
    """A person on one network: who, what they wrote (newest first), and their probable other accounts."""

    source: str
    author_id: str
    handle: str
    name: str | None
    followers: int | None
    profile_url: str | None
    entries: list[Entry] = field(default_factory=list)
    by_label: dict[str, int] = field(default_factory=dict)
    elsewhere: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        out = asdict(self)
        for entry in out["entries"]:
            entry["at"] = entry["at"].isoformat()
        return out


def person_history(store: Store, source: str, author_id: str, brands: Iterable[BrandSettings] = (),
                   limit: int = LIMIT) -> PersonHistory | None:
    """The person's last `limit` posts with the brands' answers, or None when nobody by that id was seen."""
    m, c = MentionRow, ClassificationRow
    handles = set().union(*own_handles(brands).values())
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(m.id, m.external_id, m.created_at, m.brand, m.text, m.url, m.is_repost, m.author_handle, m.extra,
                   c.label, c.sentiment)
            .outerjoin(c, c.mention_id == m.id).where(m.source == source, m.author_id == author_id)
            .order_by(m.created_at.desc(), m.id.desc()).limit(limit)).all()
        if not rows:
            return None
        author = conn.execute(select(AuthorRow.name, AuthorRow.followers).where(
            AuthorRow.source == source, AuthorRow.author_id == author_id)).first()
        by_label = dict(conn.execute(select(c.label, func.count()).join(m, m.id == c.mention_id).where(
            m.source == source, m.author_id == author_id).group_by(c.label)).all())
        keys = {r.external_id for r in rows}
        keys |= {str(r.extra["local_id"]) for r in rows if (r.extra or {}).get("local_id")}
        answers = conn.execute(
            select(m.in_reply_to, m.created_at, m.text, m.author_handle)
            .where(m.source == source, m.in_reply_to.in_(sorted(keys)), brand_voice(m, handles))
            .order_by(m.created_at)).all()
        handle = rows[0].author_handle
        stem, start = handle_stem(handle), _LEADING.match(handle.lstrip("@").lower())
        others = conn.execute(  # candidates share the handle's first letters; their stems are compared below
            select(AuthorRow.source, AuthorRow.author_id, AuthorRow.handle)
            .where(AuthorRow.source != source, func.lower(AuthorRow.handle).like(f"{start.group()[:8]}%"))
            .limit(1000)).all() if start else []
    history = PersonHistory(source, author_id, handle, author[0] if author else None,
                            author[1] if author else None, profile_url(source, handle), by_label=by_label)
    first: dict[str, Any] = {}
    for reply in answers:
        first.setdefault(reply.in_reply_to, reply)
    for row in rows:
        entry = Entry(as_utc(row.created_at), row.brand, row.label, row.sentiment, row.text, web_link(row.url),
                      bool(row.is_repost))
        reply = first.get(row.external_id) or first.get(str((row.extra or {}).get("local_id")))
        if reply is not None:
            entry.answer, entry.answer_by = reply.text, reply.author_handle
            entry.answer_minutes = round((as_utc(reply.created_at) - entry.at).total_seconds() / 60, 1)
        history.entries.append(entry)
    history.elsewhere = [{"source": s, "author_id": a, "handle": h, "link": person_link(s, a)}
                         for s, a, h in others if handle_stem(h) == stem]
    return history

