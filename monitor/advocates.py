"""Brand advocates: people who praise the brand repeatedly, over days, with reach, and no recent complaints.

The brand's own accounts never rank: neither a configured handle of the brand nor an author the sources saw
posting as the brand (mentions tagged `brand_reply` or `brand_post`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import and_, case, distinct, func, select

from monitor.models import AuthorRow, ClassificationRow, MentionRow
from monitor.settings import BrandSettings
from monitor.store import Store, tagged_as_brand

_HANDLE = re.compile(r"[\w.\-]{1,100}")
_INSTANCE = re.compile(r"[a-z0-9.\-]{1,253}\.[a-z]{2,63}")
_DECORATION = re.compile(r"\.bsky\.social$|@.*$|[^a-z0-9]")


@dataclass(slots=True)
class Advocate:
    """One ranked advocate, ready to export."""

    brand: str
    source: str
    handle: str
    score: float
    praise: int
    praise_days: int
    complaints: int
    followers: int | None
    """None where the network shows no follower count (Reddit)."""
    best_post: str | None
    best_post_url: str | None = None
    profile_url: str | None = None
    author_id: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict, with the dashboard address of the person's history."""
        return asdict(self) | {"history": person_link(self.source, self.author_id)}


def score(praise: int, praise_days: int, complaints: int, followers: int) -> float:
    """Praise on many days counts most, more posts on the same days little (a campaign day's six posts do not make
    a fan of two days); reach adds a little; recent complaints subtract."""
    extra = max(0, praise - praise_days)
    return round(2.0 * praise_days + 0.5 * math.log2(1 + extra) + 0.5 * math.log10(1 + followers)
                 - 3.0 * complaints, 2)


def handle_stem(handle: str) -> str:
    """A handle without the network's decoration: lower case, no domain, instance or punctuation."""
    return _DECORATION.sub("", handle.lstrip("@").lower())


def web_link(url: str | None) -> str | None:
    """The address if it is an http(s) one, else None: only those are shown as links."""
    return url if str(url or "").startswith(("https://", "http://")) else None


def profile_url(source: str, handle: str) -> str | None:
    """Where to find the person to thank them: their public profile on the source's network (None if unknown)."""
    handle = handle.lstrip("@")
    if source == "mastodon":
        user, _, instance = handle.partition("@")
        if _HANDLE.fullmatch(user) and _INSTANCE.fullmatch(instance.lower()):
            return f"https://{instance.lower()}/@{quote(user)}"
        return None
    if not _HANDLE.fullmatch(handle):
        return None
    pages = {"x": "https://x.com/{}", "bluesky": "https://bsky.app/profile/{}", "reddit": "https://www.reddit.com/user/{}"}
    return pages[source].format(quote(handle)) if source in pages else None


def person_link(source: str, author_id: str) -> str:
    """The dashboard address of a person's history (monitor.history)."""
    return "/person?" + urlencode({"source": source, "id": author_id})


def own_handles(brands: Iterable[BrandSettings]) -> dict[str, set[str]]:
    """Each brand's own handles (lower case, without '@'), by lower-cased brand name."""
    return {b.name.lower(): {h.lstrip("@").lower() for h in b.handles if h} for b in brands}


def _own_authors(conn: object, since: datetime, brand: str | None) -> set[tuple[str, str, str]]:
    """(brand, source, author id) of every author a source tagged as posting for the brand."""
    stmt = select(MentionRow.brand, MentionRow.source, MentionRow.author_id).where(
        tagged_as_brand(), MentionRow.created_at >= since).distinct()
    if brand:
        stmt = stmt.where(MentionRow.brand == brand)
    return {(b, s, a) for b, s, a in conn.execute(stmt)}  # type: ignore[attr-defined]


def rank_advocates(store: Store, now: datetime, brand: str | None = None, limit: int = 20,
                   min_praise: int = 2, days: int = 90, brands: Iterable[BrandSettings] = ()) -> list[Advocate]:
    """Rank authors by sustained public praise over the last `days` (reposts and the brands' own accounts not)."""
    handles = own_handles(brands)
    since = now - timedelta(days=days)
    recent = now - timedelta(days=30)
    label = ClassificationRow.label
    is_praise = label == "praise"
    praise = func.sum(case((is_praise, 1), else_=0))
    praise_days = func.count(distinct(case((is_praise, func.date(MentionRow.created_at)), else_=None)))
    complaints = func.sum(case((and_(label.in_(["complaint", "outage"]), MentionRow.created_at >= recent), 1),
                               else_=0))
    stmt = (
        select(MentionRow.brand, MentionRow.source, MentionRow.author_id, func.max(MentionRow.author_handle),
               praise, praise_days, complaints, func.max(AuthorRow.followers))
        .join(ClassificationRow, ClassificationRow.mention_id == MentionRow.id)
        .join(AuthorRow, and_(AuthorRow.source == MentionRow.source, AuthorRow.author_id == MentionRow.author_id),
              isouter=True)
        .where(MentionRow.created_at >= since, MentionRow.created_at <= now, MentionRow.is_repost.is_(False))
        .group_by(MentionRow.brand, MentionRow.source, MentionRow.author_id)
        .having(praise >= min_praise)
    )
    if brand:
        stmt = stmt.where(MentionRow.brand == brand)
    with store.engine.connect() as conn:
        own = _own_authors(conn, since, brand)
        rows = [r for r in conn.execute(stmt).all() if (r[0], r[1], r[2]) not in own
                and str(r[3] or "").lstrip("@").lower() not in handles.get(str(r[0]).lower(), set())]
        ranked = sorted(
            (Advocate(b, src, handle, score(int(p), int(d), int(c or 0), int(f or 0)), int(p), int(d),
                      int(c or 0), None if f is None else int(f), None, profile_url=profile_url(src, str(handle)),
                      author_id=str(aid)) for b, src, aid, handle, p, d, c, f in rows),
            key=lambda a: (-a.score, a.handle))[:limit]
        for adv in ranked:
            best = conn.execute(
                select(MentionRow.text, MentionRow.url)
                .join(ClassificationRow, ClassificationRow.mention_id == MentionRow.id)
                .where(MentionRow.source == adv.source, MentionRow.author_handle == adv.handle,
                       MentionRow.brand == adv.brand, label == "praise", MentionRow.is_repost.is_(False))
                .order_by(func.length(MentionRow.text).desc()).limit(1)).first()
            if best is not None:
                adv.best_post = best[0]
                adv.best_post_url = web_link(best[1])
    return [a for a in ranked if a.score > 0]
