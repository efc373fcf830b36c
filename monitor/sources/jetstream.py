"""Bluesky records as mentions: Jetstream frames (posts, reposts, identities) and searchPosts post views."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from monitor.brands import BrandMatcher
from monitor.mention import MAX_LINE_BYTES, Mention, MentionError, Rejected, parse_mention

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_TIME_US = re.compile(r'"time_us"\s*:\s*(\d+)')
_URIS = re.compile(r'"(at://[^"\\]+/app\.bsky\.feed\.post/[^"\\]+)"')
_QUOTES = {"app.bsky.embed.record": ("record",), "app.bsky.embed.recordWithMedia": ("record", "record")}


def subscribe_url(base: str, collections: list[str], cursor: int | None) -> str:
    """The Jetstream subscribe URL for these collections, resuming at `cursor` (microseconds) if given."""
    query: list[tuple[str, str]] = [("wantedCollections", c) for c in collections]
    if cursor is not None:
        query.append(("cursor", str(max(0, cursor))))
    return base + ("&" if "?" in base else "?") + urlencode(query)


def time_us_of(raw: str) -> int | None:
    """The event time of a raw frame, read without decoding the whole frame."""
    found = _TIME_US.search(raw, 0, 200) or _TIME_US.search(raw)
    return int(found.group(1)) if found else None


def from_time_us(time_us: int) -> datetime:
    """A Jetstream time (microseconds since the epoch) as an aware datetime."""
    return datetime.fromtimestamp(time_us / 1_000_000, UTC)


def quoted_uri(record: dict[str, Any]) -> str | None:
    """The URI of the post a record quotes (a record embed, with or without media), or None."""
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return None
    node: Any = embed
    for step in _QUOTES.get(str(embed.get("$type")), ()):
        node = node.get(step) if isinstance(node, dict) else None
    if node is embed or not isinstance(node, dict):
        return None
    uri = node.get("uri")
    return uri if isinstance(uri, str) and "/app.bsky.feed.post/" in uri else None


def _timestamp(claimed: Any, indexed: datetime | None) -> Any:
    """The record's own createdAt when it is a valid timestamp with an offset, else the relay's time."""
    if isinstance(claimed, str):
        try:
            if datetime.fromisoformat(claimed.replace("Z", "+00:00")).tzinfo is not None:
                return claimed
        except ValueError:
            pass
    return indexed.isoformat() if indexed else claimed


def post_json(uri: str, did: str, record: dict[str, Any], indexed: datetime | None, handle: str | None = None,
              name: str | None = None) -> dict[str, Any]:
    """A post record in the mention JSON Lines format (validated afterwards by parse_mention)."""
    created = _timestamp(record.get("createdAt"), indexed)
    rkey = uri.rsplit("/", 1)[-1]
    out: dict[str, Any] = {
        "id": uri, "source": "bluesky", "created_at": created, "text": record.get("text"),
        "author": {"id": did, "handle": handle or did}, "url": f"https://bsky.app/profile/{did}/post/{rkey}",
    }
    if name:
        out["author"]["name"] = name
    langs = record.get("langs")
    if isinstance(langs, list) and langs and isinstance(langs[0], str):
        out["lang"] = langs[0]
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    if isinstance(parent, dict) and isinstance(parent.get("uri"), str):
        out["in_reply_to"] = parent["uri"]
    quote = quoted_uri(record)
    if quote:
        out["is_quote"], out["quote_of"] = True, quote
    return out


@dataclass(slots=True)
class Seen:
    """A matching post kept for a while, so reposts of it can be counted."""

    brand: str
    text: str
    lang: str | None


class FrameReader:
    """Turns raw Jetstream frames into mentions of a brand, Rejected records, or nothing (not about a brand)."""

    def __init__(self, matcher: BrandMatcher, location: str, reposts: bool = True, remember: int = 20_000) -> None:
        self.matcher, self.location, self.reposts, self.remember = matcher, location, reposts, remember
        self.recent: OrderedDict[str, Seen] = OrderedDict()
        self.handles: OrderedDict[str, str] = OrderedDict()
        self.frames = self.skipped = self.matched = self.rejected = self.repost_count = 0
        self.last_time_us: int | None = None

    def read(self, raw: str) -> Mention | Rejected | None:
        """Read one frame; a frame that cannot name a brand is dropped before it is decoded."""
        self.frames += 1
        time_us = time_us_of(raw)
        if time_us is not None and (self.last_time_us is None or time_us > self.last_time_us):
            self.last_time_us = time_us
        wanted = self.matcher.might_match(raw) or '"identity"' in raw or (
            self.reposts and REPOST in raw and self._reposts_known(raw))
        if not wanted:
            self.skipped += 1
            return None
        where = f"{self.location}:{time_us if time_us is not None else f'frame {self.frames}'}"
        if len(raw) > MAX_LINE_BYTES:
            return self._reject(where, f"frame too long: {len(raw)} characters (limit {MAX_LINE_BYTES})", raw)
        try:
            event = json.loads(raw)
        except json.JSONDecodeError as exc:
            return self._reject(where, f"malformed JSON: {exc.msg} at column {exc.colno}", raw)
        if not isinstance(event, dict):
            return self._reject(where, f"expected a JSON object, got {type(event).__name__}", raw)
        try:
            return self._event(event, time_us)
        except MentionError as exc:
            return self._reject(where, str(exc), raw)

    def _event(self, event: dict[str, Any], time_us: int | None) -> Mention | None:
        kind = event.get("kind")
        if kind == "identity":
            self._identity(event.get("identity"))
            return None
        if kind != "commit":
            return None
        commit, did = event.get("commit"), event.get("did")
        if not isinstance(commit, dict):
            raise MentionError("commit event without a 'commit' object")
        if commit.get("operation") != "create" or commit.get("collection") not in (POST, REPOST):
            return None
        record, rkey = commit.get("record"), commit.get("rkey")
        if not isinstance(did, str) or not did or not isinstance(rkey, str) or not rkey:
            raise MentionError("commit event without 'did' or 'commit.rkey'")
        if not isinstance(record, dict):
            raise MentionError("create commit without a 'record' object")
        indexed = from_time_us(time_us) if time_us is not None else None
        uri = f"at://{did}/{commit['collection']}/{rkey}"
        if commit["collection"] == REPOST:
            return self._repost(uri, did, record, indexed)
        mention = parse_mention(post_json(uri, did, record, indexed, self.handles.get(did)))
        brand = self.matcher.match(mention)
        if brand is None:
            self.skipped += 1
            return None
        mention.brand = brand
        self.matched += 1
        if self.reposts:
            self._remember(uri, Seen(brand, mention.text, mention.lang))
        return mention

    def _repost(self, uri: str, did: str, record: dict[str, Any], indexed: datetime | None) -> Mention | None:
        subject = record.get("subject")
        original = subject.get("uri") if isinstance(subject, dict) else None
        seen = self.recent.get(original) if isinstance(original, str) else None
        if seen is None:
            self.skipped += 1
            return None
        created = _timestamp(record.get("createdAt"), indexed)
        mention = parse_mention({"id": uri, "source": "bluesky", "created_at": created, "text": seen.text,
                                 "author": {"id": did, "handle": self.handles.get(did, did)}, "is_repost": True,
                                 "repost_of": original, "brand": seen.brand, **({"lang": seen.lang} if seen.lang
                                                                               else {})})
        self.repost_count += 1
        return mention

    def _reposts_known(self, raw: str) -> bool:
        """Whether a repost frame may point at a remembered post (checked before decoding it)."""
        if not self.recent:
            return False
        return any(uri in self.recent for uri in _URIS.findall(raw))

    def snapshot(self, keep: int = 500, chars: int = 280) -> str:
        """The newest matching posts as JSON, saved beside the cursor so reposts still count after a restart."""
        newest = list(self.recent.items())[-keep:]
        return json.dumps([[u, s.brand, s.lang, s.text[:chars]] for u, s in newest], ensure_ascii=False)

    def restore(self, saved: str | None) -> None:
        """Load what snapshot() saved; anything unreadable is ignored (reposts of those posts are not counted)."""
        try:
            rows = json.loads(saved) if saved else []
        except json.JSONDecodeError:
            return
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, list) and len(row) == 4 and all(isinstance(x, str | None) for x in row):
                self._remember(row[0], Seen(row[1], row[3] or "", row[2]))

    def _identity(self, identity: Any) -> None:
        if isinstance(identity, dict) and isinstance(identity.get("did"), str) and isinstance(
                identity.get("handle"), str):
            self.handles[identity["did"]] = identity["handle"]
            if len(self.handles) > self.remember:
                self.handles.popitem(last=False)

    def _remember(self, uri: str, seen: Seen) -> None:
        self.recent[uri] = seen
        if len(self.recent) > self.remember:
            self.recent.popitem(last=False)

    def _reject(self, where: str, reason: str, raw: str) -> Rejected:
        self.rejected += 1
        return Rejected(where, reason, raw[:200])
